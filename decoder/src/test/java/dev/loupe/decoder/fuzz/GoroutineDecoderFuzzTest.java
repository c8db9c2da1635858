package dev.loupe.decoder.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.loupe.decoder.Frame;
import dev.loupe.decoder.GoroutineDecoder;
import dev.loupe.decoder.GoroutineStack;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.probegen.GoroutineRecord;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.testkit.GoTargets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Fuzzes {@link GoroutineDecoder}: an input is one goroutine record of the {@code values} target, as its program's
 * runtime layout, pclntab and wait reasons read it. The seeds ({@link GoroutineSeeds}) are records of parked,
 * running, in-syscall and unreadable goroutines with real return addresses and stack windows. {@code decode} may
 * refuse a record with an IllegalArgumentException; nothing else may escape, the stack is at most the depth limit
 * (before inlined frames are expanded), and each return address of the chain maps to one of its frames or to none.
 */
class GoroutineDecoderFuzzTest {
    /** CLOCK_MONOTONIC and CLOCK_REALTIME at the pause. */
    static final long MONOTONIC_NS = 1_000_000_000_000L;
    static final long REALTIME_NS = 1_764_650_000_000_000_000L;

    private static GoBinary binary;

    @BeforeAll
    static void open() {
        binary = GoBinary.open(GoTargets.build("values"));
    }

    @AfterAll
    static void close() {
        binary.close();
    }

    @FuzzTest(maxDuration = "4s")
    void record(byte[] input) {
        GoroutineDecoder d = new GoroutineDecoder(binary.runtimeLayout(), binary.waitReasons(), binary.pclntab(),
                SnapshotProgram.DEFAULT_MAX_DEPTH, MONOTONIC_NS, REALTIME_NS);
        Optional<GoroutineStack> decoded;
        try {
            decoded = d.decode(input);
        } catch (IllegalArgumentException refused) {
            return;
        }
        if (decoded.isEmpty()) {
            return;
        }
        GoroutineStack g = decoded.get();
        long physical = g.frames().stream().filter(f -> !f.inlined()).count();
        if (physical > SnapshotProgram.DEFAULT_MAX_DEPTH) {
            throw new AssertionError(physical + " frames, beyond the depth limit");
        }
        int npcs = Short.toUnsignedInt(ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getShort(GoroutineRecord.NPCS));
        if (g.chainDepth().size() != npcs) {
            throw new AssertionError(g.chainDepth().size() + " chain depths for " + npcs + " return addresses");
        }
        for (int at : g.chainDepth()) {
            if (at != -1 && (at < 0 || at >= g.frames().size() || g.frames().get(at).inlined())) {
                throw new AssertionError("a chain depth of " + at + " in " + g.frames().size() + " frames");
            }
        }
        for (Frame f : g.frames()) {
            if (f.function() == null || f.file() == null) {
                throw new AssertionError("a frame without a function or file: " + f);
            }
        }
    }
}
