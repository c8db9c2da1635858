package dev.loupe.dwarf.godwarf;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.Json;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoToolchains;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Struct layouts read from DWARF equal what the {@code values} target reports about itself with
 * {@code unsafe.Sizeof}/{@code Offsetof} ({@code -layout}), for every type it lists and every
 * selected toolchain.
 */
class StructLayoutTest {
    static List<String> toolchains() {
        return GoToolchains.selected();
    }

    @ParameterizedTest
    @MethodSource("toolchains")
    @SuppressWarnings("unchecked")
    void layoutsEqualUnsafeOffsetofAndSizeof(String toolchain, @TempDir Path tmp) throws IOException {
        GoBuild build = GoBuild.target("values").withToolchain(toolchain);
        Path layoutFile = tmp.resolve("layout.json");
        Path binary;
        try (RunningTarget t = RunningTarget.startReady(build, List.of("-layout", layoutFile.toString()), Duration.ofSeconds(60))) {
            binary = t.binary();
        }
        Map<String, Object> oracle = (Map<String, Object>) Json.parse(Files.readString(layoutFile));
        List<String> mismatches = new ArrayList<>();
        int structs = 0;
        try (GoBinary bin = GoBinary.open(binary)) {
            Types types = bin.dwarf().types();
            for (Map.Entry<String, Object> e : oracle.entrySet()) {
                String name = e.getKey();
                Map<String, Object> want = (Map<String, Object>) e.getValue();
                var found = types.byName(name);
                if (found.isEmpty()) {
                    mismatches.add(name + ": not in DWARF");
                    continue;
                }
                GoType t = found.get();
                long size = types.sizeOf(t);
                if (size != (Long) want.get("size")) {
                    mismatches.add(name + ": size " + size + ", want " + want.get("size"));
                }
                if (!"struct".equals(want.get("kind"))) {
                    continue;
                }
                structs++;
                if (!(types.underlying(t) instanceof GoType.Struct s)) {
                    mismatches.add(name + ": " + t + " is not a struct");
                    continue;
                }
                List<Object> fields = (List<Object>) want.getOrDefault("fields", List.of());
                List<String> got = s.fields().stream()
                        .map(f -> f.name() + "@" + f.offset() + ":" + types.sizeOf(types.get(f.type()))).toList();
                List<String> expected = fields.stream().map(o -> (Map<String, Object>) o)
                        .map(f -> f.get("name") + "@" + f.get("offset") + ":" + f.get("size")).toList();
                if (!got.equals(expected)) {
                    mismatches.add(name + ": fields " + got + ", want " + expected);
                }
            }
        }
        assertTrue(structs >= 20, "only " + structs + " struct types in the oracle");
        assertEquals(List.of(), mismatches, GoToolchains.version(toolchain));
    }
}
