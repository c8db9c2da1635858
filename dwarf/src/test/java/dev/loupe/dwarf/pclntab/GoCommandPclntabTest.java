package dev.loupe.dwarf.pclntab;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.TestBinaries;
import dev.loupe.testkit.GoToolchains;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pclntab of the {@code go} command (~15k functions) against {@code go tool nm} and {@code go tool addr2line}. */
class GoCommandPclntabTest {
    private static final Pattern NM_LINE = Pattern.compile("^\\s*([0-9a-f]+) ([Tt]) (.*)$");
    /** Text symbols that are not functions: section markers and the sections of cgo's C objects, e.g. "net(.text)". */
    private static final Pattern NOT_A_FUNCTION = Pattern.compile("runtime\\.e?text|.*\\(\\.text(\\..*)?\\)");
    private static final SourceLine UNKNOWN = new SourceLine("?", 0);

    private static GoBinary go;

    @BeforeAll
    static void open() {
        go = GoBinary.open(TestBinaries.goCommand());
    }

    @AfterAll
    static void close() {
        go.close();
    }

    /**
     * Every function entry equals a text symbol ('T'/'t') of {@code go tool nm} and vice versa.
     * The symbol table spells names for ELF tools: assembly functions carry an ".abi0" suffix and
     * the middle dot of compiler-generated local types is a plain dot.
     */
    @Test
    void functionsEqualGoToolNm() {
        TreeSet<String> expected = new TreeSet<>();
        for (String line : TestBinaries.goTool("nm", go.path().toString()).split("\n")) {
            Matcher m = NM_LINE.matcher(line);
            if (m.matches() && !NOT_A_FUNCTION.matcher(m.group(3)).matches()) {
                expected.add(Long.parseLong(m.group(1), 16) + " " + m.group(3).replaceFirst("\\.abi0$", ""));
            }
        }
        TreeSet<String> actual = new TreeSet<>();
        for (Func f : go.pclntab().functions()) {
            actual.add(f.entry() + " " + f.name().replace('·', '.'));
        }
        assertTrue(expected.size() > 10_000, "nm listed " + expected.size() + " functions");
        assertEquals(expected, actual);
    }

    /** A build linked with -s -w (no symbols, no DWARF) yields the same functions from the pclntab alone. */
    @Test
    void strippedBuildHasTheSameFunctions() {
        try (GoBinary stripped = GoBinary.open(TestBinaries.goCommandStripped())) {
            assertTrue(stripped.isStripped());
            assertFalse(go.isStripped());
            Pclntab a = go.pclntab();
            Pclntab b = stripped.pclntab();
            assertEquals(a.functionCount(), b.functionCount());
            for (int i = 0; i < a.functionCount(); i++) {
                Func fa = a.function(i);
                Func fb = b.function(i);
                assertEquals(fa.name() + " " + fa.entry() + " " + fa.end(), fb.name() + " " + fb.entry() + " " + fb.end());
            }
            assertTrue(b.hasInlineTrees(), "the stripped build's inline trees are found through the moduledata");
            assertEquals(go.elf().symbol("go:func.*").orElseThrow().value(), a.moduleData().orElseThrow().gofunc());
            assertEquals(go.elf().symbol("runtime.firstmoduledata").orElseThrow().value(), a.moduleData().orElseThrow().address());
            assertEquals(go.elf().symbol("runtime.text").orElseThrow().value(), a.textStart());
        }
    }

    /**
     * pc to function and file:line, for each function's entry and one random pc inside it,
     * equal {@code go tool addr2line}, which prints the real (outermost) function's name and the
     * innermost (possibly inlined) position.
     */
    @Test
    void linesEqualAddr2line(@TempDir Path tmp) throws Exception {
        Pclntab tab = go.pclntab();
        Random random = new Random(42);
        List<Long> pcs = new ArrayList<>();
        for (Func f : tab.functions()) {
            pcs.add(f.entry());
            if (f.end() - f.entry() > 1) {
                pcs.add(f.entry() + 1 + random.nextLong(f.end() - f.entry() - 1));
            }
        }
        StringBuilder in = new StringBuilder();
        for (long pc : pcs) {
            in.append("0x").append(Long.toHexString(pc)).append('\n');
        }
        List<String> out = addr2line(go.path(), Files.writeString(tmp.resolve("pcs"), in));
        assertEquals(2 * pcs.size(), out.size());
        Map<Long, String> atEntry = new HashMap<>();
        for (int i = 0; i < pcs.size(); i++) {
            atEntry.putIfAbsent(pcs.get(i), out.get(2 * i + 1));
        }
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        int skipped = 0;
        for (int i = 0; i < pcs.size(); i++) {
            long pc = pcs.get(i);
            Func f = tab.functionAt(pc).orElseThrow();
            if (tab.line(f.entry()).equals(UNKNOWN) && ":-1".equals(atEntry.get(f.entry()))) {
                // C code linked in by cgo has no line table (offset 0): the runtime says "?:0",
                // debug/gosym decodes whatever the table at offset 0 holds.
                skipped++;
                continue;
            }
            // debug/gosym's "not found" is file "" and line -1, the runtime's (and ours) "?" and 0.
            String theirs = out.get(2 * i + 1);
            expected.add("0x" + Long.toHexString(pc) + " " + out.get(2 * i) + " " + (theirs.equals(":-1") ? "?:0" : theirs));
            SourceLine line = tab.line(pc);
            actual.add("0x" + Long.toHexString(pc) + " " + f.name() + " " + line.file() + ":" + line.line());
        }
        assertTrue(skipped < 200, skipped + " pcs in functions without line tables");
        assertEquals(expected, actual);
    }

    /** The runtime's pcsp invariant: no function has pushed anything at its entry. */
    @Test
    void stackPointerDeltaIsZeroAtEntries() {
        Pclntab tab = go.pclntab();
        int withFrames = 0;
        for (Func f : tab.functions()) {
            if (tab.line(f.entry()).equals(UNKNOWN)) {
                continue; // C code linked in by cgo: no pc tables at all.
            }
            assertEquals(0, tab.spDelta(f.entry()), f.name());
            if (f.end() - f.entry() > 32 && tab.spDelta(f.entry() + (f.end() - f.entry()) / 2) > 0) {
                withFrames++;
            }
        }
        assertTrue(withFrames > tab.functionCount() / 2, withFrames + " functions have a frame mid-body");
        assertEquals(-1, tab.spDelta(tab.textStart() - 1));
    }

    private static List<String> addr2line(Path binary, Path input) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(GoToolchains.goExecutable(), "tool", "addr2line", binary.toString())
                .redirectInput(input.toFile()).redirectErrorStream(true);
        pb.environment().put("GOTOOLCHAIN", GoToolchains.LOCAL);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
        return List.of(new String(out, StandardCharsets.UTF_8).split("\n"));
    }
}
