package dev.loupe.decoder;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.probegen.GoroutineRecord;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.testkit.GoTargets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running goroutine whose thread's registers the program could not use gets {@code g.sched}, which the runtime
 * clears but for the pc when it resumes the goroutine: that pc is where it last stopped, not where it is, so the
 * goroutine shows no frames and is marked truncated; with sp still set, {@code g.sched} is fresh (the goroutine is
 * switching stacks) and unwinds.
 */
class RunningWithoutRegistersTest {
    private static final long STACK = 0xc000100000L;
    private static final int RUNNING = 2;

    @ParameterizedTest
    @ValueSource(ints = {GoroutineRecord.NO_THREAD, GoroutineRecord.OFF_STACK})
    void aClearedSchedShowsNoStaleFrame(int flag) throws IOException {
        try (GoBinary b = GoBinary.open(GoTargets.build("values"))) {
            GoroutineDecoder decoder = new GoroutineDecoder(b.runtimeLayout(), b.waitReasons(), b.pclntab(),
                    SnapshotProgram.DEFAULT_MAX_DEPTH, 0, 0);
            long pc = b.pclntab().functions().stream().filter(f -> f.name().equals("runtime.mcall")).findFirst()
                    .map(Func::entry).orElseThrow() + 1;

            GoroutineStack cleared = decoder.decode(record(b.runtimeLayout().g(), flag, pc, 0)).orElseThrow();
            assertEquals("running", cleared.info().status());
            assertTrue(cleared.frames().isEmpty(), "frames: " + cleared.frames());
            assertTrue(cleared.truncated());

            GoroutineStack fresh = decoder.decode(record(b.runtimeLayout().g(), flag, pc, STACK - 0x100)).orElseThrow();
            assertEquals("runtime.mcall", fresh.frames().getFirst().function());
        }
    }

    private static byte[] record(RuntimeLayout.G g, int flag, long pc, long sp) {
        ByteBuffer r = ByteBuffer.allocate(GoroutineRecord.HEADER_BYTES + (int) g.size()).order(ByteOrder.LITTLE_ENDIAN)
                .putShort(GoroutineRecord.FLAGS, (short) (GoroutineRecord.SOURCE_SCHED | flag))
                .putLong(GoroutineRecord.PC, pc).putLong(GoroutineRecord.SP, sp);
        int at = GoroutineRecord.HEADER_BYTES;
        r.putLong(at + (int) g.stackLo(), STACK - 0x2000).putLong(at + (int) g.stackHi(), STACK)
                .putLong(at + (int) g.schedPc(), pc).putLong(at + (int) g.schedSp(), sp)
                .putInt(at + (int) g.atomicstatus(), RUNNING).putLong(at + (int) g.goid(), 7);
        return r.array();
    }
}
