package dev.loupe.probegen.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spec file format of docs/spec.md: what it reads to, its defaults, and each problem at its line:column. */
class SpecReaderTest {
    private static Path resource(String name) throws URISyntaxException {
        return Path.of(SpecReaderTest.class.getResource(name).toURI());
    }

    /** The message of the problems of {@code yaml}, read as "s.yaml". */
    private static String problems(String yaml) {
        return assertThrows(SpecException.class, () -> SpecReader.parse(yaml, "s.yaml")).getMessage();
    }

    private static Spec parse(String yaml) throws SpecException {
        return SpecReader.parse(yaml, "s.yaml");
    }

    @Test
    void theSampleReadsToItsRecordsWithPositions() throws Exception {
        Path file = resource("server.yaml");
        Spec spec = SpecReader.read(file);
        assertEquals(new Spec(file.toString(), java.nio.file.Files.readString(file), List.of(new FunctionSpec("main.(*Server).handle",
                        List.of(new CaptureSpec("req.URL.Path", "path", new Position(4, 15)),
                                new CaptureSpec("s", "s", new Position(6, 15))),
                        List.of(new ColumnSpec("path_len", "length(path)", new Position(8, 15))),
                        new Position(2, 15))),
                new Limits(512, 512, 2048, 4, 16_777_216)), spec);
    }

    @Test
    void limitsDefaultKeyByKey() throws SpecException {
        assertEquals(Limits.DEFAULT, parse("functions:\n  - function: main.f\n").limits());
        assertEquals(Limits.DEFAULT, parse("functions:\n  - function: main.f\nlimits:\n").limits());
        assertEquals(new Limits(512, 512, 2048, 0, 1L << 30),
                parse("functions:\n  - function: main.f\nlimits:\n  pointer_depth: 0\n  snapshot_bytes: 1073741824\n").limits());
        assertEquals(new Limits(512, 512, 2048, 4, 16L << 20), Limits.DEFAULT);
    }

    @Test
    void aFunctionNeedsNoCaptures() throws SpecException {
        FunctionSpec f = parse("functions:\n  - function: main.f\n    capture:\n    columns: []\n").functions().getFirst();
        assertEquals(new FunctionSpec("main.f", List.of(), List.of(), new Position(2, 15)), f);
    }

    @Test
    void columnNamesAreDerivedFromExpressions() throws SpecException {
        assertEquals("req_URL_Path", SpecReader.derivedName("req.URL.Path"));
        assertEquals("p", SpecReader.derivedName("*p"));
        assertEquals("a_3", SpecReader.derivedName("a[3]"));
        assertEquals("len_x", SpecReader.derivedName("len(x)"));
        assertEquals("p_x_2", SpecReader.derivedName("(*p).x[2]"));
        List<CaptureSpec> captures = parse("""
                functions:
                  - function: main.f
                    capture:
                      - expr: len( x )
                      - expr: "*p"
                      - expr: 'a[3]'
                """).functions().getFirst().captures();
        assertEquals(List.of(new CaptureSpec("len( x )", "len_x", new Position(4, 15)),
                new CaptureSpec("*p", "p", new Position(5, 16)),
                new CaptureSpec("a[3]", "a_3", new Position(6, 16))), captures);
    }

    @Test
    void anEmptyFileListsNoFunctions() {
        assertEquals("s.yaml:1:1: the spec lists no functions; add a 'functions:' list with at least one '- function: NAME'", problems(""));
        assertEquals("s.yaml:1:1: the spec lists no functions; add a 'functions:' list with at least one '- function: NAME'", problems("# nothing\n"));
        assertEquals("s.yaml:1:1: the spec lists no functions; add at least one '- function: NAME' under 'functions'", problems("limits: {}\n"));
        assertEquals("s.yaml:1:12: the spec lists no functions; add at least one '- function: NAME' under 'functions'", problems("functions: []\n"));
    }

    @Test
    void unknownKeysNameTheKeysAllowedThere() {
        assertEquals("s.yaml:3:5: unknown key 'captures' (did you mean 'capture'?); the keys allowed here are function, capture, columns",
                problems("functions:\n  - function: main.f\n    captures: []\n"));
        assertEquals("s.yaml:1:1: unknown key 'programs'; the keys allowed here are functions, limits",
                problems("programs: []\nfunctions:\n  - function: main.f\n"));
        assertEquals("s.yaml:4:19: unknown key 'type'; the keys allowed here are expr, name",
                problems("functions:\n  - function: main.f\n    capture:\n      - {expr: x, type: int}\n"));
        assertEquals("s.yaml:4:3: unknown key 'string_byte' (did you mean 'string_bytes'?); the keys allowed here are string_bytes, slice_bytes, "
                        + "map_bytes, pointer_depth, snapshot_bytes",
                problems("functions:\n  - function: main.f\nlimits:\n  string_byte: 5\n"));
    }

    @Test
    void wrongTypesSayWhatIsExpected() {
        assertEquals("s.yaml:3:14: 'capture' must be a list of expressions (- expr: EXPR), not the number 5; write each entry on a line starting with '- '",
                problems("functions:\n  - function: main.f\n    capture: 5\n"));
        assertEquals("s.yaml:1:12: 'functions' must be a list of functions (- function: NAME), not the string 'main.f'; "
                + "write each entry on a line starting with '- '", problems("functions: main.f\n"));
        assertEquals("s.yaml:4:9: a capture is a mapping (expr: EXPR, name: NAME), not the string 'req'; write '- expr: req'",
                problems("functions:\n  - function: main.f\n    capture:\n      - req\n"));
        assertEquals("s.yaml:2:5: a function entry is a mapping (function: NAME, capture: ..., columns: ...), not the string 'main.f'; "
                + "start it with '- function: NAME'", problems("functions:\n  - main.f\n"));
        assertEquals("s.yaml:1:1: a spec is a mapping with the keys functions, limits, not a list; start with 'functions:'",
                problems("- function: main.f\n"));
        assertEquals("s.yaml:3:9: 'limits' must be a mapping (string_bytes: 512, ...), not a list; see docs/spec.md",
                problems("functions:\n  - function: main.f\nlimits: [5]\n"));
    }

    @Test
    void missingAndEmptyValues() {
        assertEquals("s.yaml:2:5: 'function' is missing; give the function's name as 'go tool nm' prints it, e.g. main.(*Server).handle",
                problems("functions:\n  - capture:\n      - expr: x\n"));
        assertEquals("s.yaml:4:9: 'expr' is missing; write the Go expression to capture, e.g. req.URL.Path",
                problems("functions:\n  - function: main.f\n    capture:\n      - name: x\n"));
        assertEquals("s.yaml:4:14: 'expr' must be a string, not nothing; write the Go expression to capture, e.g. req.URL.Path",
                problems("functions:\n  - function: main.f\n    capture:\n      - expr:\n"));
        assertEquals("s.yaml:5:14: 'sql' must be a string, not a list; give an SQL expression over the captured columns, e.g. length(path)",
                problems("functions:\n  - function: main.f\n    columns:\n      - name: n\n        sql: [1]\n"));
    }

    @Test
    void limitsMustBeInRange() {
        String base = "functions:\n  - function: main.f\nlimits:\n";
        assertEquals("s.yaml:4:17: string_bytes must be an integer from 1 to 1073741824, not 0; leave it out for the default, 512",
                problems(base + "  string_bytes: 0\n"));
        assertEquals("s.yaml:4:18: pointer_depth must be an integer from 0 to 16, not 17; leave it out for the default, 4",
                problems(base + "  pointer_depth: 17\n"));
        assertEquals("s.yaml:4:19: snapshot_bytes must be an integer from 1 to 1073741824, not 1073741825; leave it out for the default, 16777216",
                problems(base + "  snapshot_bytes: 1073741825\n"));
        assertEquals("s.yaml:4:14: map_bytes must be an integer from 1 to 1073741824, not 99999999999999999999999; leave it out for the default, 2048",
                problems(base + "  map_bytes: 99999999999999999999999\n"));
        assertEquals("s.yaml:4:16: slice_bytes must be an integer from 1 to 1073741824, not the string '1k'; leave it out for the default, 512",
                problems(base + "  slice_bytes: 1k\n"));
        assertEquals("s.yaml:4:16: slice_bytes must be an integer from 1 to 1073741824, not the number 2.5; leave it out for the default, 512",
                problems(base + "  slice_bytes: 2.5\n"));
    }

    @Test
    void columnNamesMustBeUniqueIdentifiersThatAreNotBuiltIn() {
        String head = "functions:\n  - function: main.f\n    capture:\n";
        assertEquals("s.yaml:5:15: column name 'path len' is not an SQL identifier; use letters, digits and '_', not starting with a digit",
                problems(head + "      - expr: p\n        name: path len\n"));
        assertEquals("s.yaml:5:15: column name goroutine_id is one every function table has; choose another name",
                problems(head + "      - expr: g.goid\n        name: goroutine_id\n"));
        assertEquals("s.yaml:4:15: the column name derived from 'frame_idx', frame_idx, is one every function table has; give this capture a 'name'",
                problems(head + "      - expr: frame_idx\n"));
        assertEquals("s.yaml:5:15: the column name derived from '(*p)', p, is already used at line 4; give this capture a 'name'",
                problems(head + "      - expr: p\n      - expr: (*p)\n"));
        assertEquals("s.yaml:6:15: column name P is already used at line 4; column names must be unique within a function (ignoring case, as SQLite does)",
                problems(head + "      - expr: p\n    columns:\n      - name: P\n        sql: 1\n"));
        assertEquals("s.yaml:4:15: no column name can be derived from 'é'; give this capture a 'name'", problems(head + "      - expr: é\n"));
    }

    @Test
    void theSameFunctionTwiceIsAnError() {
        assertEquals("s.yaml:3:15: function main.f is listed twice (first at line 2); merge the two entries",
                problems("functions:\n  - function: main.f\n  - function: main.f\n"));
    }

    @Test
    void keysGivenTwiceAreErrors() {
        assertEquals("s.yaml:3:5: key 'function' is given twice (first at line 2); keep one",
                problems("functions:\n  - function: main.f\n    function: main.g\n"));
    }

    @Test
    void expressionErrorsPointIntoTheExpression() {
        String head = "functions:\n  - function: main.f\n    capture:\n";
        assertEquals("s.yaml:4:18: operators ('+') are not supported; an expression is a variable with fields (.f), constant indexes ([3]), "
                + "*, len() and cap()", problems(head + "      - expr: a.b+c\n"));
        // Inside quotes the expression starts one column later.
        assertEquals("s.yaml:4:19: calls are not supported (only len(x) and cap(x)); an expression is a variable with fields (.f), "
                + "constant indexes ([3]), *, len() and cap()", problems(head + "      - expr: \"x.f()\"\n"));
        assertEquals("s.yaml:4:20: slice expressions (a[i:j]) are not supported; capture the slice itself",
                problems(head + "      - {expr: 'a[1:2]', name: s}\n"));
    }

    @Test
    void everyProblemIsReportedOnceEachOnItsLine() {
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.parse("""
                functions:
                  - function: main.f
                    capture:
                      - expr: a +
                      - expr: b
                        nme: x
                  - function: main.f
                limits: {pointer_depth: -1}
                extra: 1
                """, "s.yaml"));
        assertEquals(List.of(
                new Problem("s.yaml", 4, 17, "operators ('+') are not supported; an expression is a variable with fields (.f), constant "
                        + "indexes ([3]), *, len() and cap()"),
                new Problem("s.yaml", 6, 9, "unknown key 'nme' (did you mean 'name'?); the keys allowed here are expr, name"),
                new Problem("s.yaml", 7, 15, "function main.f is listed twice (first at line 2); merge the two entries"),
                new Problem("s.yaml", 8, 25, "pointer_depth must be an integer from 0 to 16, not -1; leave it out for the default, 4"),
                new Problem("s.yaml", 9, 1, "unknown key 'extra'; the keys allowed here are functions, limits")), e.problems());
        assertEquals(5, e.getMessage().lines().count());
        assertTrue(e.getMessage().startsWith("s.yaml:4:17: operators"), e.getMessage());
    }

    @Test
    void malformedYamlIsOneProblemAtItsMark() {
        assertEquals("s.yaml:3:4: YAML syntax error: expected <block end>, but found '<block mapping start>' (while parsing a block "
                + "collection at 2:3); check the indentation and quoting", problems("functions:\n  - function: x\n   bad: [\n"));
        assertEquals("s.yaml:2:1: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar at 1:12); "
                + "check the indentation and quoting", problems("functions: \"main.f\n"));
        String tab = problems("functions:\n\t- function: main.f\n");
        assertTrue(tab.startsWith("s.yaml:2:1: YAML syntax error: "), tab);
        assertEquals(1, tab.lines().count());
    }

    @Test
    void aliasesAndSecondDocumentsAreRefused() {
        assertEquals("s.yaml:3:15: YAML aliases (*f) are not supported; write the value out",
                problems("functions:\n  - function: &f main.f\n  - function: *f\n"));
        assertEquals("s.yaml:4:1: a spec is one YAML document; remove the documents after the first",
                problems("functions:\n  - function: main.f\n---\nfunctions: []\n"));
    }

    @Test
    void hostileNestingIsAProblemNotACrash() {
        String deep = "functions:\n  - function: main.f\n    capture: " + "[".repeat(200) + "]".repeat(200) + "\n";
        String message = problems(deep);
        assertTrue(message.contains("nested more than 32 levels deep"), message);
    }

    @Test
    void mangledSpecsGiveProblemsAndNothingElse() throws Exception {
        String sample = Files.readString(resource("server.yaml"));
        String alphabet = " \n\t-:{}[],'\"*&!|>#%@`?~\\aZ0\u00e9";
        Random random = new Random(5);
        int failed = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder s = new StringBuilder(sample);
            for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
                int at = random.nextInt(s.length());
                switch (random.nextInt(3)) {
                    case 0 -> s.deleteCharAt(at);
                    case 1 -> s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            try {
                SpecReader.parse(s.toString(), "m.yaml");
            } catch (SpecException e) {
                failed++;
                for (Problem p : e.problems()) {
                    assertTrue(p.line() >= 1 && p.column() >= 1 && !p.message().contains("\n"), p + "\n--- in:\n" + s);
                }
            }
        }
        assertTrue(failed > 1000, failed + " of 3000 mangled specs had problems");
    }

    @Test
    void readingAFileNamesIt(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("none.yaml");
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.read(missing));
        assertEquals(missing + ": no such file; check the path", e.getMessage());
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[] {'f', 'u', 'n', (byte) 0xe9, '\n'});
        assertEquals(latin1 + ": not UTF-8 text; save the spec as UTF-8",
                assertThrows(SpecException.class, () -> SpecReader.read(latin1)).getMessage());
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "functions:\n  - function: main.f\n    capture: 5\n");
        assertTrue(assertThrows(SpecException.class, () -> SpecReader.read(bad)).getMessage().startsWith(bad + ":3:14: "));
    }
}
