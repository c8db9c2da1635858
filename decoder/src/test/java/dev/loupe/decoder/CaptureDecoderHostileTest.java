package dev.loupe.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.probegen.CaptureRecord;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.probegen.ir.CapturePlan;
import dev.loupe.probegen.irgen.CapturePlanner;
import dev.loupe.probegen.spec.ResolvedSpec;
import dev.loupe.probegen.spec.SpecReader;
import dev.loupe.probegen.spec.SpecResolver;
import dev.loupe.testkit.GoTargets;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Records from a broken or hostile agent: truncated, with lengths past their end, plans out of range, chunks that
 * claim huge or negative lengths, pointers into nothing, self-referencing memory. The decoder refuses a malformed
 * record with an IllegalArgumentException (the caller's one-line error), and whatever it accepted decodes to values
 * or markers, never an exception, never a hang.
 */
class CaptureDecoderHostileTest {
    private static final String SPEC = """
            functions:
              - function: main.parkPointers
                capture: [{expr: list}, {expr: ppp}, {expr: a}, {expr: list.Next.Value}]
              - function: main.parkComposites
                capture: [{expr: points}, {expr: emp}, {expr: window}, {expr: "len(points)"}, {expr: "points[1]"}]
              - function: main.parkInterfaces
                capture: [{expr: err}, {expr: anyStruct}]
              - function: main.parkStrings
                capture: [{expr: long}, {expr: bs}, {expr: sub}]
            """;

    @Test
    void randomRecordsNeverBreakTheDecoder() throws Exception {
        try (GoBinary b = GoBinary.open(GoTargets.build("values"))) {
            ResolvedSpec spec = SpecResolver.resolve(SpecReader.parse(SPEC, "hostile.yaml"), b);
            CapturePlan plan = CapturePlanner.plan(spec, b.dwarf(), b.pclntab(), SnapshotProgram.CAPTURE_BYTES_PER_FRAME);
            Random random = new Random(42);
            int accepted = 0;
            int refused = 0;
            for (int round = 0; round < 200; round++) {
                CaptureDecoder d = new CaptureDecoder(spec, plan, b.dwarf(), b.pclntab(), b.runtimeLayout(),
                        round % 2 == 0 ? ValueForm.CLEAN : ValueForm.RAW);
                for (int r = 0; r < 20; r++) {
                    try {
                        d.add(record(random, plan));
                        accepted++;
                    } catch (IllegalArgumentException expected) {
                        refused++;
                    }
                }
                for (CaptureDecoder.CapturedFrame f : d.frames()) {
                    for (JsonNode v : f.values()) {
                        assertTrue(v == null || v.toString().length() < 10_000_000, "a bounded value");
                    }
                }
            }
            assertTrue(accepted > 100 && refused > 100, accepted + " records accepted, " + refused + " refused");
        } catch (RuntimeException e) {
            if (!(e instanceof IllegalArgumentException)) {
                fail("the decoder threw " + e, e);
            }
            throw e;
        }
    }

    /** A capture record whose header is plausible and whose chunks are random: addresses near a few bases. */
    private static byte[] record(Random random, CapturePlan plan) {
        int size = CaptureRecord.HEADER_BYTES + random.nextInt(2048);
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        long base = 0xc000000000L + random.nextInt(4) * 0x1000L;
        b.putInt(CaptureRecord.INDEX, random.nextInt(4));
        b.putShort(CaptureRecord.FLAGS, (short) CaptureRecord.CAPTURE);
        b.putShort(CaptureRecord.FRAME, (short) random.nextInt(8));
        b.putInt(CaptureRecord.PLAN, random.nextInt(10) == 0 ? random.nextInt() : random.nextInt(plan.plans().size()));
        int data = random.nextInt(10) == 0 ? random.nextInt() : size - CaptureRecord.HEADER_BYTES;
        b.putInt(CaptureRecord.DATA_BYTES, data);
        b.putLong(CaptureRecord.CFA, base + random.nextInt(512));
        for (int at = CaptureRecord.HEADER_BYTES; at + 16 <= size; ) {
            b.putLong(at, base + random.nextInt(4096) - 64);
            b.putInt(at + 8, random.nextInt(plan.types().size()));
            int len = random.nextInt(8) == 0 ? random.nextInt() : random.nextInt(Math.max(1, size - at - 16));
            b.putInt(at + 12, len);
            for (int i = at + 16; i < Math.min(size, at + 16 + Math.max(0, Math.min(len, 512))); i += 8) {
                if (i + 8 <= size) {
                    // Words that look like pointers back into the same memory, lengths, or noise.
                    b.putLong(i, switch (random.nextInt(3)) {
                        case 0 -> base + random.nextInt(4096);
                        case 1 -> random.nextInt(100);
                        default -> random.nextLong();
                    });
                }
            }
            at += 16 + (Math.max(0, len) + 7 & ~7);
            if (len < 0 || len > size) {
                break;
            }
        }
        return b.array();
    }
}
