package dev.loupe.decoder.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.decoder.CaptureDecoder;
import dev.loupe.decoder.ValueForm;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.probegen.CaptureRecord;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.probegen.ir.CapturePlan;
import dev.loupe.probegen.irgen.CapturePlanner;
import dev.loupe.probegen.spec.ResolvedSpec;
import dev.loupe.probegen.spec.SpecException;
import dev.loupe.probegen.spec.SpecReader;
import dev.loupe.probegen.spec.SpecResolver;
import dev.loupe.testkit.GoTargets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes {@link CaptureDecoder}: an input is capture records back to back, each as long as its header's data bytes
 * say (the last takes what is left), added to one decoder for the {@code values} target with a real plan: every
 * variable of its park functions and path expressions of each step kind. The seeds ({@link CaptureSeeds}) are
 * well-formed records whose words lead back into their chunks. {@code add} may refuse a record with an
 * IllegalArgumentException; nothing else may escape, and every value must serialise to JSON of at most
 * {@value #MAX_JSON} characters.
 */
class CaptureDecoderFuzzTest {
    private static final String SPEC = """
            functions:
              - function: main.parkScalars
                capture: [{expr: b}, {expr: i}, {expr: i8}, {expr: i16}, {expr: i32}, {expr: i64}, {expr: u}, {expr: u8},
                          {expr: u16}, {expr: u32}, {expr: u64}, {expr: uptr}, {expr: f32}, {expr: f64}, {expr: c64},
                          {expr: c128}, {expr: sum}, {expr: product}]
              - function: main.parkStrings
                capture: [{expr: empty}, {expr: ascii}, {expr: utf8}, {expr: long}, {expr: bs}, {expr: sub}, {expr: n},
                          {expr: "len(long)"}, {expr: "ascii[1]"}]
              - function: main.parkComposites
                capture: [{expr: points}, {expr: grid}, {expr: arr}, {expr: emp}, {expr: nilSlice}, {expr: emptySlice},
                          {expr: window}, {expr: mid}, {expr: tags}, {expr: emp.Address.City}, {expr: "grid[2][1]"},
                          {expr: "points[1].Y"}, {expr: mid.X}, {expr: "len(emp.Tags)"}, {expr: "cap(window)"}, {expr: "len(arr)"}]
              - function: main.parkPointers
                capture: [{expr: nilPtr}, {expr: ppp}, {expr: list}, {expr: a}, {expr: b}, {expr: second}, {expr: depth},
                          {expr: list.Next.Value}, {expr: "***ppp", name: deref3}, {expr: "a.Other.Name[0]"}]
              - function: main.parkInterfaces
                capture: [{expr: err}, {expr: nilErr}, {expr: typedNil}, {expr: anyStruct}, {expr: anyPtr}, {expr: anyInt},
                          {expr: nilAny}, {expr: temp}, {expr: msg}]
              - function: main.parkMaps
                capture: [{expr: small}, {expr: large}, {expr: nested}, {expr: structKeys}, {expr: nilMap}, {expr: emptyMap},
                          {expr: count}, {expr: apples}, {expr: "len(large)"}]
              - function: main.parkChannels
                capture: [{expr: nums}, {expr: nilCh}, {expr: done}, {expr: jobs}, {expr: queued}, {expr: "len(nums)"},
                          {expr: "cap(jobs)"}]
              - function: main.parkTime
                capture: [{expr: d}, {expr: offset}, {expr: t}, {expr: zoned}, {expr: deadline}, {expr: t.loc.name}]
              - function: main.parkFuncs
                capture: [{expr: fn}, {expr: closure}, {expr: method}, {expr: nilFn}, {expr: result}]
              - function: "main.parkGeneric[go.shape.string]"
                capture: [{expr: v}, {expr: label}, {expr: box}]
            """;
    /** The decoder spends at most 1 MiB of captured bytes on a value, which no JSON writes in 16 Mi characters. */
    private static final int MAX_JSON = 1 << 24;

    private static GoBinary binary;
    private static ResolvedSpec spec;
    private static CapturePlan plan;

    @BeforeAll
    static void open() throws SpecException {
        binary = GoBinary.open(GoTargets.build("values"));
        spec = spec(binary);
        plan = plan(spec, binary);
    }

    @AfterAll
    static void close() {
        binary.close();
    }

    static ResolvedSpec spec(GoBinary values) throws SpecException {
        return SpecResolver.resolve(SpecReader.parse(SPEC, "fuzz.yaml"), values);
    }

    static CapturePlan plan(ResolvedSpec spec, GoBinary values) {
        return CapturePlanner.plan(spec, values.dwarf(), values.pclntab(), SnapshotProgram.CAPTURE_BYTES_PER_FRAME);
    }

    @FuzzTest(maxDuration = "6s")
    void records(byte[] input) {
        // Both forms: the raw one wraps what pointers reach, on paths of its own.
        for (ValueForm form : ValueForm.values()) {
            decode(input, form);
        }
    }

    private static void decode(byte[] input, ValueForm form) {
        CaptureDecoder d = new CaptureDecoder(spec, plan, binary.dwarf(), binary.pclntab(), binary.runtimeLayout(), form);
        for (byte[] r : split(input)) {
            try {
                d.add(r);
            } catch (IllegalArgumentException refused) {
                // A malformed record, refused as documented; the others still decode.
            }
        }
        for (CaptureDecoder.CapturedFrame f : d.frames()) {
            int captures = spec.functions().get(f.function()).captures().size();
            if (f.values().size() != captures) {
                throw new AssertionError(f.values().size() + " values for " + captures + " captures");
            }
            for (JsonNode v : f.values()) {
                int length = v == null ? 0 : v.toString().length();
                if (length > MAX_JSON) {
                    throw new AssertionError("a value of " + length + " characters of JSON");
                }
            }
        }
    }

    /** The records of an input: each as long as its header says, the last one what is left. */
    static List<byte[]> split(byte[] input) {
        List<byte[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at < input.length; ) {
            long length = at + CaptureRecord.HEADER_BYTES > input.length ? input.length - at
                    : CaptureRecord.HEADER_BYTES + Integer.toUnsignedLong(b.getInt(at + CaptureRecord.DATA_BYTES));
            int end = (int) Math.min(input.length, at + length);
            out.add(Arrays.copyOfRange(input, at, end));
            at = end;
        }
        return out;
    }
}
