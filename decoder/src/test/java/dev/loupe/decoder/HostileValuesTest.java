package dev.loupe.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.Types;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.probegen.CaptureRecord;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.probegen.ir.CapturePlan;
import dev.loupe.probegen.irgen.CapturePlanner;
import dev.loupe.probegen.spec.ResolvedSpec;
import dev.loupe.probegen.spec.SpecReader;
import dev.loupe.probegen.spec.SpecResolver;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoTargets;
import dev.loupe.testkit.GoToolchains;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values of the {@code values} target laid out by hand in ways no Go program makes but memory read from a racing
 * or corrupt process can: they decode to markers or to what can be told truthfully, in bounded time and JSON.
 */
class HostileValuesTest {
    private static final long CFA = 0xc000800000L;
    private static final long HEAP = 0xc000010000L;

    private static GoBinary binary;
    private static Types types;

    @BeforeAll
    static void open() {
        binary = GoBinary.open(GoTargets.build("values"));
        types = binary.dwarf().types();
    }

    @AfterAll
    static void close() {
        binary.close();
    }

    /**
     * Memory that several pointers share is decoded once for each, as Go values are: pointers fanning out to shared
     * memory level after level would decode exponentially often, but a captured value has a budget of bytes.
     */
    @Test
    @Timeout(20)
    void pointersFanningOutToSharedMemoryEndAtTheBudget() throws Exception {
        Frame f = new Frame("main.parkInterfaces", "err");
        long wrapErrors = runtimeType("*fmt.wrapErrors");
        long errs = ((GoType.Struct) types.underlying(types.byName("fmt.wrapErrors").orElseThrow())).field("errs").orElseThrow().offset();
        // err is a *fmt.wrapErrors whose errs are four errors, each the same *fmt.wrapErrors of the level below:
        // 4^40 paths through 40 levels of memory.
        long itab = HEAP;
        f.chunk(itab, 0, wrapErrors);
        f.chunk(f.root(), itab, HEAP + 0x100);
        for (int level = 0; level < 40; level++) {
            long at = HEAP + 0x100 * (level + 1);
            long below = level == 39 ? 0 : at + 0x100;
            ByteBuffer value = ByteBuffer.allocate((int) errs + 24 + 64).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong((int) errs, at + errs + 24).putLong((int) errs + 8, 4).putLong((int) errs + 16, 4);
            for (int i = 0; i < 4; i++) {
                value.putLong((int) errs + 24 + 16 * i, itab).putLong((int) errs + 32 + 16 * i, below);
            }
            f.chunk(at, value.array());
        }
        String json = f.decode().toString();
        assertTrue(json.length() < 16 << 20 && json.contains("not decoded: the value passed"), json.length() + " characters: "
                + json.substring(0, Math.min(500, json.length())));
    }

    /** Elements of a zero-size type take no memory: a huge len is shown as a truncated slice, not looped over. */
    @Test
    @Timeout(20)
    void zeroSizeElementsAreCountedNotLoopedOver() throws Exception {
        Frame f = new Frame("main.parkInterfaces", "anyStruct");
        f.chunk(f.root(), runtimeType("[]struct {}"), HEAP);
        f.chunk(HEAP, HEAP + 0x100, 1L << 40, 1L << 40);
        JsonNode v = f.decode().path("value");
        assertEquals("elements", v.path("$truncated").asText(), v.toString());
        assertEquals(1L << 40, v.path("len").asLong(), v.toString());
        assertEquals(1024, v.path("value").size(), v.toString());
    }

    /** Go's FixedZone takes any offset, java.time's only ±18 h: beyond, the instant is written in UTC. */
    @Test
    void zoneOffsetsBeyondEighteenHoursAreWrittenInUtc() throws Exception {
        Frame f = new Frame("main.parkTime", "zoned");
        GoType.Struct location = (GoType.Struct) types.underlying(types.byName("time.Location").orElseThrow());
        GoType.Struct zone = (GoType.Struct) types.underlying(types.byName("time.zone").orElseThrow());
        long unix = 1_714_979_289L;
        long loc = HEAP;
        long z = HEAP + 0x200;
        // 2024-05-06T07:08:09Z without a monotonic reading: wall holds the nanoseconds, ext the seconds from year 1.
        f.chunk(f.root(), 0, unix + 62_135_596_800L, loc);
        ByteBuffer l = ByteBuffer.allocate((int) location.size()).order(ByteOrder.LITTLE_ENDIAN)
                .putLong((int) location.field("cacheStart").orElseThrow().offset(), unix - 10)
                .putLong((int) location.field("cacheEnd").orElseThrow().offset(), unix + 10)
                .putLong((int) location.field("cacheZone").orElseThrow().offset(), z);
        f.chunk(loc, l.array());
        f.chunk(z, ByteBuffer.allocate((int) zone.size()).order(ByteOrder.LITTLE_ENDIAN)
                .putLong((int) zone.field("offset").orElseThrow().offset(), 100_000).array());
        assertEquals("2024-05-06T07:08:09Z", f.decode().asText());
    }

    /**
     * A bucket map's 2^B buckets were read in one piece, up to the map limit: a B of 30 ends at the first bucket not
     * captured, not after 2^30 of them ({@code runtime.hmap}: Go 1.25's {@code GOEXPERIMENT=noswissmap}).
     */
    @Test
    @Timeout(120)
    void bucketMapsEndAtTheFirstBucketNotCaptured() throws Exception {
        try (GoBinary buckets = GoBinary.open(GoTargets.build(GoBuild.target("values")
                .withToolchain(GoToolchains.newestPatch(1, 25)).withEnv("GOEXPERIMENT=noswissmap")))) {
            Types t = buckets.dwarf().types();
            RuntimeLayout.Hmap hmap = (RuntimeLayout.Hmap) buckets.runtimeLayout().map();
            GoType.Struct bucket = (GoType.Struct) t.underlying(t.byName("bucket<string,int>").orElseThrow());
            long keys = bucket.field("keys").orElseThrow().offset();
            long values = bucket.field("values").orElseThrow().offset();
            Frame f = new Frame(buckets, "main.parkMaps", "small");
            long header = HEAP;
            long first = HEAP + 0x100;
            long text = HEAP + 0x400;
            f.chunk(f.root(), header);
            ByteBuffer h = ByteBuffer.allocate((int) hmap.size()).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong((int) hmap.count(), 1).put((int) hmap.b(), (byte) 30).putLong((int) hmap.buckets(), first);
            f.chunk(header, h.array());
            ByteBuffer b = ByteBuffer.allocate((int) bucket.size()).order(ByteOrder.LITTLE_ENDIAN)
                    .put(0, (byte) 0x55).putLong((int) keys, text).putLong((int) keys + 8, 1).putLong((int) values, 7);
            f.chunk(first, b.array());
            f.chunk(text, "a".getBytes(StandardCharsets.UTF_8));
            assertEquals("{\"a\":7}", f.decode().toString());
        }
    }

    private static long runtimeType(String name) {
        return binary.dwarf().runtimeTypeAddress(types.byName(name).orElseThrow()).orElseThrow();
    }

    /** One frame capturing one expression, and the chunks of its capture record. */
    private static final class Frame {
        private final ResolvedSpec spec;
        private final CapturePlan plan;
        private final int p;
        private final ByteArrayOutputStream chunks = new ByteArrayOutputStream();

        private final GoBinary of;

        Frame(String function, String expr) throws Exception {
            this(binary, function, expr);
        }

        Frame(GoBinary of, String function, String expr) throws Exception {
            this.of = of;
            spec = SpecResolver.resolve(SpecReader.parse("functions:\n  - function: " + function + "\n    capture: [{expr: " + expr + "}]\n",
                    "hostile.yaml"), of);
            plan = CapturePlanner.plan(spec, of.dwarf(), of.pclntab(), SnapshotProgram.CAPTURE_BYTES_PER_FRAME);
            int with = 0;
            while (plan.plans().get(with).roots().isEmpty()) {
                with++;
            }
            p = with;
        }

        /** Where the expression's variable is. */
        long root() {
            return CFA + plan.plans().get(p).roots().getFirst().cfaOffset();
        }

        void chunk(long address, long... words) {
            ByteBuffer b = ByteBuffer.allocate(8 * words.length).order(ByteOrder.LITTLE_ENDIAN);
            for (long w : words) {
                b.putLong(w);
            }
            chunk(address, b.array());
        }

        void chunk(long address, byte[] bytes) {
            chunks.writeBytes(ByteBuffer.allocate(CaptureRecord.CHUNK_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(address).putInt(12, bytes.length).array());
            chunks.writeBytes(bytes);
            chunks.writeBytes(new byte[-bytes.length & 7]);
        }

        JsonNode decode() {
            byte[] data = chunks.toByteArray();
            ByteBuffer b = ByteBuffer.allocate(CaptureRecord.HEADER_BYTES + data.length).order(ByteOrder.LITTLE_ENDIAN)
                    .putShort(CaptureRecord.FLAGS, (short) CaptureRecord.CAPTURE).putInt(CaptureRecord.PLAN, p)
                    .putInt(CaptureRecord.DATA_BYTES, data.length).putLong(CaptureRecord.CFA, CFA);
            b.put(CaptureRecord.HEADER_BYTES, data);
            CaptureDecoder d = new CaptureDecoder(spec, plan, of.dwarf(), of.pclntab(), of.runtimeLayout(), ValueForm.CLEAN);
            d.add(b.array());
            return d.frames().getFirst().values().getFirst();
        }
    }
}
