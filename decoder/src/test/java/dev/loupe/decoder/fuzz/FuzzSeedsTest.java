package dev.loupe.decoder.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.decoder.CaptureDecoder;
import dev.loupe.decoder.ValueForm;
import dev.loupe.decoder.GoroutineDecoder;
import dev.loupe.decoder.GoroutineStack;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.probegen.ir.CapturePlan;
import dev.loupe.probegen.spec.ResolvedSpec;
import dev.loupe.probegen.spec.SpecException;
import dev.loupe.testkit.GoTargets;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fuzz tests' committed seeds are what {@link CaptureSeeds} and {@link GoroutineSeeds} lay out for the
 * {@code values} target as this machine's Go builds it, and they decode to values and stacks, not to refusals or
 * markers all through. After a change to either, to the spec or to Go, {@code -Dloupe.fuzz.seeds.update=true}
 * writes them anew (the {@code crash-*} inputs beside them stay as they are).
 */
class FuzzSeedsTest {
    private static final Path INPUTS = Path.of(System.getProperty("user.dir"), "src", "test", "resources", "dev", "loupe",
            "decoder", "fuzz");

    @Test
    void captureSeedsDecode() throws IOException, SpecException {
        try (GoBinary b = GoBinary.open(GoTargets.build("values"))) {
            ResolvedSpec spec = CaptureDecoderFuzzTest.spec(b);
            CapturePlan plan = CaptureDecoderFuzzTest.plan(spec, b);
            Map<String, byte[]> seeds = CaptureSeeds.all(b, spec, plan);
            matches(INPUTS.resolve("CaptureDecoderFuzzTestInputs/records"), seeds);
            List<String> json = new ArrayList<>();
            for (byte[] input : seeds.values()) {
                CaptureDecoder d = new CaptureDecoder(spec, plan, b.dwarf(), b.pclntab(), b.runtimeLayout(), ValueForm.CLEAN);
                CaptureDecoderFuzzTest.split(input).forEach(d::add);
                for (CaptureDecoder.CapturedFrame f : d.frames()) {
                    f.values().stream().filter(v -> v != null).map(JsonNode::toString).forEach(json::add);
                }
            }
            long whole = json.stream().filter(v -> !v.contains("\"$")).count();
            assertTrue(whole > json.size() / 2, whole + " of " + json.size() + " values without markers: " + json);
            for (String shape : List.of("\"$cycle\"", "\"$truncated\":\"bytes\"", "\"$truncated\":\"elements\"", "(errno 14)",
                    "pointer depth", "\"type\":\"", "\"func\":\"main.", "+0", "-0")) {
                assertTrue(json.stream().anyMatch(v -> v.contains(shape)), "no seed decodes to " + shape + ": " + json);
            }
            assertTrue(json.stream().anyMatch(v -> v.matches("(?s).*\"items\":\\[[^\\]].*")), "no seed decodes to a channel's items: " + json);
        }
    }

    @Test
    void goroutineSeedsDecode() throws IOException {
        try (GoBinary b = GoBinary.open(GoTargets.build("values"))) {
            Map<String, byte[]> seeds = GoroutineSeeds.all(b);
            matches(INPUTS.resolve("GoroutineDecoderFuzzTestInputs/record"), seeds);
            for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
                Optional<GoroutineStack> g = new GoroutineDecoder(b.runtimeLayout(), b.waitReasons(), b.pclntab(),
                        SnapshotProgram.DEFAULT_MAX_DEPTH, GoroutineDecoderFuzzTest.MONOTONIC_NS,
                        GoroutineDecoderFuzzTest.REALTIME_NS).decode(s.getValue());
                if (s.getKey().equals("seed-g-unreadable")) {
                    assertTrue(g.isEmpty(), s.getKey());
                    continue;
                }
                assertTrue(g.isPresent() && g.get().frames().size() >= 3 && g.get().frames().stream().noneMatch(f -> f.function().equals("?")),
                        s.getKey() + ": " + g);
                assertEquals(s.getKey().equals("seed-stack-read-failed"), g.get().truncated(), s.getKey() + ": " + g);
            }
        }
    }

    /** Compares the {@code seed-*} files of {@code dir} with {@code seeds}, or writes them when updating. */
    private static void matches(Path dir, Map<String, byte[]> seeds) throws IOException {
        Set<String> committed = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("seed-")).forEach(committed::add);
            }
        }
        if (Boolean.getBoolean("loupe.fuzz.seeds.update")) {
            Files.createDirectories(dir);
            for (String stale : committed) {
                Files.delete(dir.resolve(stale));
            }
            for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
                Files.write(dir.resolve(s.getKey()), s.getValue());
            }
            return;
        }
        String update = " (rerun with -Dloupe.fuzz.seeds.update=true and commit the seeds)";
        assertEquals(new TreeSet<>(seeds.keySet()), committed, "the seeds in " + dir + update);
        for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
            assertTrue(Arrays.equals(s.getValue(), Files.readAllBytes(dir.resolve(s.getKey()))), dir.resolve(s.getKey()) + " is stale" + update);
        }
    }
}
