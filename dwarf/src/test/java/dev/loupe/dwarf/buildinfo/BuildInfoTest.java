package dev.loupe.dwarf.buildinfo;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.TestBinaries;
import dev.loupe.dwarf.TestBinaries.Variant;
import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoToolchains;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Build information against {@code go version -m}. */
class BuildInfoTest {

    @Test
    void goCommandEqualsGoVersionM() {
        assertMatchesGoVersionM(TestBinaries.goCommand());
    }

    @Test
    void strippedPieAndExternallyLinkedBuildsEqualGoVersionM() {
        for (Variant v : List.of(Variant.STRIPPED, Variant.PIE, Variant.EXTERNAL_LINK)) {
            Path bin = TestBinaries.inlining(v);
            assertMatchesGoVersionM(bin);
        }
        try (GoBinary b = GoBinary.open(TestBinaries.inlining(Variant.STRIPPED))) {
            assertEquals("-s -w", b.buildInfo().orElseThrow().setting("-ldflags").orElseThrow());
            assertEquals("example.com/inlining", b.buildInfo().orElseThrow().path());
        }
    }

    /**
     * Renders what we read the way {@code go version -m} prints it (runtime/debug.BuildInfo.String:
     * tab-separated columns, keys and values quoted when they hold spaces, tabs, quotes or '=') and
     * compares line by line.
     */
    private static void assertMatchesGoVersionM(Path bin) {
        String out = Exec.run(Exec.cmd(GoToolchains.goExecutable(), "version", "-m", bin.toString()).env("GOTOOLCHAIN", "local"));
        List<String> expected = Arrays.stream(out.split("\n")).map(String::stripTrailing).toList();
        List<String> actual = new ArrayList<>();
        try (GoBinary b = GoBinary.open(bin)) {
            BuildInfo bi = b.buildInfo().orElseThrow();
            actual.add(bin + ": " + bi.goVersion());
            if (!bi.path().isEmpty()) {
                actual.add("\tpath\t" + bi.path());
            }
            bi.mainModule().ifPresent(m -> addModule(actual, "mod", m));
            bi.deps().forEach(m -> addModule(actual, "dep", m));
            for (BuildSetting s : bi.settings()) {
                actual.add("\tbuild\t" + quoteIf(s.key(), true) + "=" + quoteIf(s.value(), false));
            }
        }
        assertEquals(expected, actual.stream().map(String::stripTrailing).toList());
    }

    private static void addModule(List<String> out, String kind, Module m) {
        out.add("\t" + kind + "\t" + m.path() + "\t" + m.version() + "\t" + m.sum());
        m.replacement().ifPresent(r -> out.add("\t=>\t" + r.path() + "\t" + r.version() + "\t" + r.sum()));
    }

    private static String quoteIf(String s, boolean key) {
        boolean quote = s.chars().anyMatch(c -> c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' || c == '`'
                || (key && c == '='));
        return quote ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : s;
    }

    @Test
    void goStringLiteralsUnquoteLikeStrconv() {
        assertEquals("-s -w", GoQuote.unquote("\"-s -w\""));
        assertEquals("a\tb\"c\\d", GoQuote.unquote("\"a\\tb\\\"c\\\\d\""));
        assertEquals("é☺\u0007\u000b", GoQuote.unquote("\"\\xc3\\xa9\\u263a\\a\\v\""));
        assertEquals("A", GoQuote.unquote("\"\\101\""));
        assertEquals("raw \\n", GoQuote.unquote("`raw \\n`"));
        assertEquals(7, GoQuote.prefixLength("\"a=\\\"b\"=c"));
        assertThrows(IllegalArgumentException.class, () -> GoQuote.unquote("\"\\q\""));
        assertThrows(IllegalArgumentException.class, () -> GoQuote.unquote("\"\\x-1\""));
        assertTrue(GoQuote.prefixLength("\"open") < 0);
    }
}
