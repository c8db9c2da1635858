package dev.loupe.app.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.agent.LocalAgent;
import dev.loupe.decoder.ValueForm;
import dev.loupe.dwarf.runtime.RuntimeLayouts;
import dev.loupe.probegen.spec.Spec;
import dev.loupe.probegen.spec.SpecReader;
import dev.loupe.testkit.Exec;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.Golden;
import dev.loupe.testkit.GoToolchains;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Captured values against the values {@code targets/values} holds, which it writes itself with encoding/json: every
 * variable of every park function, captured in the function's frame, equals what the target wrote, under the
 * documented mapping between the two shapes (docs/snapshot-format.md, "Captured values"): a bool column holds 1 or
 * 0, a string longer than the limit is its length and first bytes, a map bigger than the limit its length and some
 * entries (each right), a map with struct keys a list of entries in any order. A second snapshot of the same
 * parked goroutines, in the raw form, holds the same values with the addresses Go gives for them.
 */
class ValuesCaptureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Parts of values that are not captured yet: compared only for their marker. */
    private static final Set<String> STRUCT_KEYED = Set.of("structKeys");
    private static final String NOT_FOLLOWED = "not captured: pointers inside values of this interface's dynamic type are not followed";
    /** The keys of the raw form whose values are addresses (and of the clean form: {@code $cycle}). */
    private static final Set<String> ADDRESS_KEYS = Set.of("$addr", "$cycle", "$itab", "$type");
    /** Masks every address alike, for the clean form, whose only addresses are those of cycles. */
    private static final UnaryOperator<String> ANY_ADDRESS = a -> "0x…";
    private final List<String> gaps = new ArrayList<>();

    static List<String> toolchains() {
        return GoToolchains.selected();
    }

    @ParameterizedTest
    @MethodSource("toolchains")
    void everyParkedVariableEqualsWhatTheTargetWrote(String toolchain, @TempDir Path dir) throws Exception {
        String goMinor = RuntimeLayouts.minorVersion(GoToolchains.version(toolchain));
        compareWithOracle(GoBuild.target("values").withToolchain(toolchain), goMinor, dir);
    }

    /** The maps of Go before 1.24, buckets and overflow buckets (runtime.hmap): Go 1.25 still builds them on request. */
    @org.junit.jupiter.api.Test
    void bucketMapsToo(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        // Its main.parkMaps growing is caught growing (the target makes sure): entries in old buckets too.
        compareWithOracle(GoBuild.target("values").withToolchain(GoToolchains.newestPatch(1, 25)).withEnv("GOEXPERIMENT=noswissmap"),
                "go1.25-noswissmap", dir);
    }

    /**
     * Captures every variable the target wrote to its oracle and compares them. The goldens are
     * values-captured.CONFIG.json and, of the raw form, values-captured-raw.CONFIG.json.
     */
    private void compareWithOracle(GoBuild build, String config, Path dir) throws Exception {
        Gate.requireRoot();
        Path oraclePath = dir.resolve("oracle.json");
        Path addressesPath = dir.resolve("addresses.json");
        try (RunningTarget t = RunningTarget.startReady(build, List.of("-oracle", oraclePath.toString(), "-addresses", addressesPath.toString()),
                Duration.ofSeconds(120))) {
            JsonNode oracle = JSON.readTree(oraclePath.toFile());
            StringBuilder yaml = new StringBuilder("functions:\n");
            for (Iterator<Map.Entry<String, JsonNode>> fs = oracle.fields(); fs.hasNext(); ) {
                Map.Entry<String, JsonNode> f = fs.next();
                yaml.append("  - function: \"").append(f.getKey()).append("\"\n    capture:\n");
                f.getValue().fieldNames().forEachRemaining(v -> yaml.append("      - expr: ").append(v).append('\n'));
            }
            Spec spec = SpecReader.parse(yaml.toString(), "values.yaml");
            Path db = dir.resolve("values.db");
            new Snapshotter(new LocalAgent(), options(ValueForm.CLEAN), line -> {}).take(List.of((int) t.pid()), db, spec);

            Map<String, JsonNode> captured = captured(db);
            assertEquals("clean", valueForm(db));
            assertTrue(!captured.get("main.parkMaps growing").has("$truncated"), "a growing map is whole: "
                    + captured.get("main.parkMaps growing"));
            // The shapes, pinned: every captured value, addresses masked, one file per Go minor version.
            ObjectNode golden = JSON.createObjectNode();
            captured.forEach((k, v) -> golden.set(k, masked(v, ANY_ADDRESS)));
            Golden.assertMatches("values-captured." + config + ".json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(golden) + "\n");

            // The same parked goroutines again, in the raw form.
            Path rawDb = dir.resolve("values-raw.db");
            new Snapshotter(new LocalAgent(), options(ValueForm.RAW), line -> {}).take(List.of((int) t.pid()), rawDb, spec);
            Map<String, JsonNode> raw = captured(rawDb);
            assertEquals("raw", valueForm(rawDb));
            assertDecoderSamples(captured, raw);
            assertRawForm(captured, raw, JSON.readTree(addressesPath.toFile()), rawDb);
            // Its shapes, pinned: one label per address, so that the golden shows what is shared and where cycles close.
            ObjectNode rawGolden = JSON.createObjectNode();
            UnaryOperator<String> labels = labels();
            raw.forEach((k, v) -> rawGolden.set(k, masked(v, labels)));
            Golden.assertMatches("values-captured-raw." + config + ".json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rawGolden) + "\n");
            List<String> mismatches = new ArrayList<>();
            int compared = 0;
            for (Iterator<Map.Entry<String, JsonNode>> fs = oracle.fields(); fs.hasNext(); ) {
                Map.Entry<String, JsonNode> f = fs.next();
                for (Iterator<Map.Entry<String, JsonNode>> vs = f.getValue().fields(); vs.hasNext(); ) {
                    Map.Entry<String, JsonNode> v = vs.next();
                    String key = f.getKey() + " " + v.getKey();
                    JsonNode got = captured.get(key);
                    compared++;
                    if (got == null) {
                        mismatches.add(key + ": not captured (NULL or no row)");
                    } else if (!matches(v.getKey(), v.getValue(), got)) {
                        mismatches.add(key + ": expected " + v.getValue() + ", captured " + got);
                    }
                }
            }
            System.out.println(compared + " variables compared; known gaps reported as such: " + gaps);
            assertTrue(compared > 60, compared + " variables compared");
            assertTrue(gaps.isEmpty(), "the dynamic types of the target's interfaces are followed: " + gaps);
            assertEquals(List.of(), mismatches, mismatches.size() + " of " + compared + " variables differ");
        }
    }

    /**
     * The pause is not what this test is about: a budget of a second, so that a thread of the target waiting for a
     * CPU behind the JVM's compiler and collector (or other builds on a 2-core host) does not fail it.
     */
    private static Snapshotter.Options options(ValueForm form) {
        return new Snapshotter.Options(Snapshotter.Options.DEFAULT.maxDepth(), Snapshotter.Options.DEFAULT.ringBufferBytes(),
                Duration.ofSeconds(1), form);
    }

    /** Past the spec's snapshot_bytes, frames still have their rows, and their values say why they are missing. */
    @org.junit.jupiter.api.Test
    void theSnapshotBudgetEndsTheCaptureVisibly(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("values"), List.of(), Duration.ofSeconds(120))) {
            String yaml = """
                    functions:
                      - function: main.parkStrings
                        capture: [{expr: ascii}, {expr: long}]
                      - function: main.parkPointers
                        capture: [{expr: list}]
                      - function: main.parkComposites
                        capture: [{expr: emp}]
                    limits: {snapshot_bytes: 64}
                    """;
            Path db = dir.resolve("budget.db");
            new Snapshotter(new LocalAgent(), Snapshotter.Options.DEFAULT, line -> {}).take(List.of((int) t.pid()), db,
                    SpecReader.parse(yaml, "budget.yaml"));
            Map<String, JsonNode> captured = captured(db);
            assertEquals(4, captured.size(), "a value (or its marker) for every capture of every frame: " + captured);
            long overBudget = captured.values().stream()
                    .filter(v -> v.path("$missing").asText().contains("snapshot_bytes limit was reached")).count();
            assertTrue(overBudget >= 1 && overBudget < 4, "the first frame is captured, later ones say the budget ran out: " + captured);
        }
    }

    /**
     * The raw form ({@code raw}) is the clean form ({@code clean}) with addresses, and they are right: each equals what
     * Go says is at its place ({@code addresses}, the target's -addresses file), a cycle closes on a pointer that
     * encloses it, and SQLite's JSON functions reach them (through the sqlite3 shell, as docs/snapshot-format.md shows).
     */
    private static void assertRawForm(Map<String, JsonNode> clean, Map<String, JsonNode> raw, JsonNode addresses, Path rawDb) {
        Map<String, JsonNode> stripped = new TreeMap<>();
        raw.forEach((k, v) -> stripped.put(k, withoutAddresses(v)));
        assertEquals(clean, stripped, "the raw form without its addresses is the clean form");
        raw.forEach((k, v) -> assertAddresses(k, v, new ArrayDeque<>()));
        List<String> wrong = new ArrayList<>();
        // function -> variable -> place -> address, as "function variable place" -> address
        Map<String, String> places = new TreeMap<>();
        addresses.fields().forEachRemaining(f -> f.getValue().fields().forEachRemaining(v -> v.getValue().fields().forEachRemaining(
                p -> places.put(f.getKey() + " " + v.getKey() + " " + p.getKey(), p.getValue().asText()))));
        for (Map.Entry<String, String> place : places.entrySet()) {
            String[] key = place.getKey().split(" ");
            JsonNode value = raw.get(key[0] + " " + key[1]);
            JsonNode at = value;
            for (String step : key[2].split("\\.")) {
                at = at == null ? null : at.get(step);
            }
            if (at == null || !at.asText().equals(place.getValue())) {
                wrong.add(place.getKey() + ": Go says " + place.getValue() + ", captured " + at + " in " + value);
            }
        }
        assertTrue(places.size() > 40, places.size() + " addresses compared");
        assertEquals(List.of(), wrong, wrong.size() + " of " + places.size() + " addresses differ");
        assertEquals("1|1|1\n", Exec.run(Exec.cmd("sqlite3", rawDb.toString(), """
                SELECT a ->> '$.value.Other.$addr' = b ->> '$.$addr',
                       second ->> '$.$addr' = list ->> '$.value.Next.$addr',
                       json_extract(a, '$.value.Other.value.Other.value.$cycle') = json_extract(a, '$.$addr')
                FROM main_parkPointers""")), "sharing and cycles, as SQL sees them");
    }

    /**
     * Every address in {@code v} is lower-case hex, and every {@code $cycle} is the pointer that leads to it (the
     * nearest {@code $addr} around it) and one further out: the one that reached the same value first.
     */
    private static void assertAddresses(String key, JsonNode v, Deque<String> enclosing) {
        if (v.isObject()) {
            for (String k : ADDRESS_KEYS) {
                if (v.has(k)) {
                    assertTrue(v.get(k).asText().matches("0x[0-9a-f]+"), key + ": " + k + " " + v.get(k));
                }
            }
            if (v.has("$cycle")) {
                String cycle = v.get("$cycle").asText();
                assertEquals(cycle, enclosing.peek(), key + ": " + v + " is not where the pointer around it points");
                assertTrue(enclosing.stream().skip(1).anyMatch(cycle::equals), key + ": " + v + " closes on none of the pointers " + enclosing);
            }
            boolean wrapper = v.has("$addr");
            if (wrapper) {
                enclosing.push(v.get("$addr").asText());
            }
            v.forEach(x -> assertAddresses(key, x, enclosing));
            if (wrapper) {
                enclosing.pop();
            }
        } else if (v.isArray()) {
            v.forEach(x -> assertAddresses(key, x, enclosing));
        }
    }

    /** A raw value in the clean form: each {@code {"$addr", "value"}} its value, interfaces without their type words. */
    private static JsonNode withoutAddresses(JsonNode v) {
        if (v.isObject() && v.has("$addr")) {
            // A pointer without a pointee type: the clean form is its address.
            return v.has("value") ? withoutAddresses(v.get("value")) : v.get("$addr");
        }
        if (v.isObject()) {
            ObjectNode o = JSON.createObjectNode();
            v.fields().forEachRemaining(e -> {
                if (!e.getKey().equals("$itab") && !e.getKey().equals("$type")) {
                    o.set(e.getKey(), withoutAddresses(e.getValue()));
                }
            });
            return o;
        }
        if (v.isArray()) {
            var a = JSON.createArrayNode();
            v.forEach(x -> a.add(withoutAddresses(x)));
            return a;
        }
        return v;
    }

    /** What {@code snapshot.value_form} says of the file's values. */
    private static String valueForm(Path db) {
        return Exec.run(Exec.cmd("sqlite3", db.toString(), "SELECT value_form FROM snapshot")).strip();
    }

    /** The samples the decoder's package documentation shows are what a snapshot holds, in the clean and raw forms. */
    private static void assertDecoderSamples(Map<String, JsonNode> captured, Map<String, JsonNode> raw) throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("user.dir")).resolveSibling("decoder")
                .resolve("src/main/java/dev/loupe/decoder/package-info.java"));
        List<String> samples = java.util.regex.Pattern.compile("<pre>\\s*\\*\\s*(\\{.*?)\\s*\\*\\s*</pre>", java.util.regex.Pattern.DOTALL)
                .matcher(doc).results().map(m -> m.group(1).replaceAll("\\s*\\n\\s*\\*\\s*", "")).toList();
        assertEquals(3, samples.size(), "the samples in the decoder's package-info: " + samples);
        assertEquals(JSON.readTree(samples.get(0)), captured.get("main.parkInterfaces err"));
        JsonNode a = captured.get("main.parkPointers a");
        assertEquals(masked(JSON.readTree(samples.get(1)), ANY_ADDRESS), masked(a, ANY_ADDRESS), "the cycle sample, addresses masked");
        assertEquals(masked(JSON.readTree(samples.get(2)), labels()), masked(raw.get("main.parkPointers a"), labels()),
                "the raw cycle sample, each address masked with a label of its own");
    }

    /** "function variable" to the value captured in the function's frame, parsed as JSON. */
    private static Map<String, JsonNode> captured(Path db) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            Map<String, String> tables = new TreeMap<>();
            try (ResultSet r = s.executeQuery("SELECT table_name, function FROM function_tables")) {
                while (r.next()) {
                    tables.put(r.getString(1), r.getString(2));
                }
            }
            int values = 0;
            for (Map.Entry<String, String> t : tables.entrySet()) {
                try (ResultSet r = s.executeQuery("SELECT * FROM \"" + t.getKey() + "\"")) {
                    int columns = r.getMetaData().getColumnCount();
                    while (r.next()) {
                        for (int i = 4; i <= columns; i++) {
                            Object v = r.getObject(i);
                            if (v != null) {
                                out.put(t.getValue() + " " + r.getMetaData().getColumnName(i), asJson(v));
                                values++;
                            }
                        }
                    }
                }
            }
            try (ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT table_name) FROM all_captured_data")) {
                r.next();
                assertEquals(values, r.getInt(1), "all_captured_data has every captured value");
                assertEquals(tables.size(), r.getInt(2));
            }
        }
        return out;
    }

    /** Masks addresses with labels numbered in order of first appearance: the same address, the same label. */
    private static UnaryOperator<String> labels() {
        Map<String, String> labels = new HashMap<>();
        return a -> labels.computeIfAbsent(a, x -> "0x…#" + (labels.size() + 1));
    }

    /**
     * {@code v} with what legitimately varies from run to run masked: addresses as {@code address} says, the order of
     * a map's entries (sorted, as their text with every address alike), and which entries of a map bigger than the
     * limit were read.
     */
    private static JsonNode masked(JsonNode v, UnaryOperator<String> address) {
        if (v.isObject()) {
            if ("entries".equals(v.path("$truncated").asText())) {
                ObjectNode o = JSON.createObjectNode().put("$truncated", "entries").put("len", v.get("len").asLong());
                // The groups read are the first map_bytes' worth; how full they are depends on the map's hash seed.
                return o.put("value", v.get("value").isEmpty() ? "(none)" : "(some: which, and how many, varies)");
            }
            ObjectNode o = JSON.createObjectNode();
            new TreeMap<>(JSON.convertValue(v, Map.class)).keySet().forEach(k -> {
                String key = (String) k;
                o.set(key, ADDRESS_KEYS.contains(key) ? JSON.getNodeFactory().textNode(address.apply(v.get(key).asText()))
                        : masked(v.get(key), address));
            });
            return o;
        }
        if (v.isArray()) {
            List<JsonNode> items = new ArrayList<>();
            v.forEach(items::add);
            // A map's {"key", "value"} entries come in the map's order; sorted first, so that labels come in a fixed order.
            if (!items.isEmpty() && items.stream().allMatch(x -> x.isObject() && x.size() == 2 && x.has("key") && x.has("value"))) {
                items.sort(java.util.Comparator.comparing(x -> masked(x, ANY_ADDRESS).toString()));
            }
            var a = JSON.createArrayNode();
            items.forEach(x -> a.add(masked(x, address)));
            return a;
        }
        return v;
    }

    /** A column's value as JSON: numbers as numbers, JSON text parsed, other text as a JSON string. */
    private static JsonNode asJson(Object v) {
        if (v instanceof Number n) {
            return JSON.valueToTree(n);
        }
        String s = v.toString();
        try {
            JsonNode parsed = JSON.readTree(s);
            if (parsed != null && (parsed.isContainerNode() || parsed.isNumber() || parsed.isNull())) {
                return parsed;
            }
        } catch (Exception notJson) {
            // Plain text: a Go string.
        }
        return JSON.getNodeFactory().textNode(s);
    }

    /** The documented mapping between encoding/json's shapes and Loupe's. */
    private boolean matches(String variable, JsonNode expected, JsonNode got) {
        if (got.isObject() && "entries".equals(got.path("$truncated").asText())) {
            // A map bigger than map_bytes: its length, and entries all of which are right.
            JsonNode some = got.get("value");
            if (got.get("len").asLong() != expected.size() || some.size() == 0) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = some.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                boolean cutShort = e.getValue().has("$missing");
                if (!expected.has(e.getKey()) || !cutShort && !matches(e.getKey(), expected.get(e.getKey()), e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (STRUCT_KEYED.contains(variable) && expected.isArray() && got.isArray()) {
            // A map with struct keys: the target writes its entries sorted by key, Loupe in the map's own order.
            if (expected.size() != got.size()) {
                return false;
            }
            for (JsonNode e : got) {
                boolean any = false;
                for (JsonNode x : expected) {
                    any |= matches("", x, e);
                }
                if (!any) {
                    return false;
                }
            }
            return true;
        }
        if (got.isObject() && NOT_FOLLOWED.equals(got.path("$missing").asText())) {
            // A dynamic type beyond those the plan follows (docs/snapshot-format.md): said so, not guessed.
            gaps.add(variable);
            return true;
        }
        if (got.isObject() && got.has("$cycle") && expected.isObject() && expected.has("$ref")) {
            return true;
        }
        if (got.isObject() && got.has("ns") && got.has("duration") && expected.isNumber()) {
            return got.get("ns").asLong() == expected.asLong();
        }
        if (expected.isBoolean() && got.isNumber()) {
            // SQL has no booleans: a bool column holds 1 and 0.
            return got.asLong() == (expected.asBoolean() ? 1 : 0);
        }
        if (expected.isBoolean() && got.isBoolean()) {
            return expected.equals(got);
        }
        if (got.isObject() && got.has("$truncated") && got.path("value").isTextual() && expected.isTextual()) {
            // A string longer than string_bytes: its length, and its first bytes.
            return got.get("len").asLong() == expected.asText().length() && expected.asText().startsWith(got.get("value").asText());
        }
        if (expected.isNumber() && got.isNumber()) {
            return expected.isIntegralNumber() && got.isIntegralNumber() ? expected.bigIntegerValue().equals(got.bigIntegerValue())
                    : Math.abs(expected.asDouble() - got.asDouble()) <= 1e-6 * Math.max(1, Math.abs(expected.asDouble()));
        }
        if (expected.isNumber() && got.isTextual()) {
            return expected.asText().equals(got.asText());
        }
        if (expected.isObject() && got.isObject()) {
            if (expected.size() != got.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!got.has(e.getKey()) || !matches(e.getKey(), e.getValue(), got.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (expected.isArray() && got.isArray()) {
            if (expected.size() != got.size()) {
                return false;
            }
            for (int i = 0; i < expected.size(); i++) {
                if (!matches(variable, expected.get(i), got.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return expected.equals(got);
    }
}
