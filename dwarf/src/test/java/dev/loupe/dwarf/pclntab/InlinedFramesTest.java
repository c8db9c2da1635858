package dev.loupe.dwarf.pclntab;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.TestBinaries;
import dev.loupe.dwarf.TestBinaries.Variant;
import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoToolchains;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inline expansion against the Go runtime itself: the {@code inlining} test program records,
 * from inside chains of inlined calls, the pcs of {@code runtime.Callers}, the frames
 * {@code runtime.CallersFrames} makes of them, and {@code runtime.Stack} of all goroutines.
 * Expanding the same pcs must give the same function names and file:line, in the same order,
 * for every link variant and every selected Go toolchain.
 */
class InlinedFramesTest {
    static Stream<Arguments> builds() {
        List<Arguments> out = new ArrayList<>();
        for (String toolchain : GoToolchains.selected()) {
            for (Variant v : List.of(Variant.PLAIN, Variant.PIE, Variant.STRIPPED, Variant.EXTERNAL_LINK)) {
                out.add(Arguments.of(v, toolchain));
            }
        }
        return out.stream();
    }

    /**
     * {@code runtime.Callers} lists one pc per logical frame: the return address + 0 for the real
     * frame's innermost inlined call, then {@code entry + parentPc + 1} for each caller inlined
     * around it. Expanding (first pc - 1) must produce exactly those frames and those pcs.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("builds")
    void callersFramesMatchTheRuntime(Variant v, String toolchain) {
        Path bin = TestBinaries.inlining(v, toolchain);
        Map<String, Block> blocks = parse(Exec.run(Exec.cmd(bin.toString())));
        try (GoBinary b = GoBinary.open(bin)) {
            Pclntab tab = b.pclntab();
            long record = tab.functions().stream().filter(f -> f.name().equals("main.record")).findFirst().orElseThrow().entry();
            long bias = blocks.get("record").pcs.getFirst() - record;
            assertTrue(tab.hasInlineTrees());
            boolean sawInlined = false;
            for (var e : blocks.entrySet()) {
                if (!e.getKey().contains("#")) {
                    continue;
                }
                List<Long> pcs = e.getValue().pcs.stream().map(pc -> pc - bias).toList();
                List<String> actual = new ArrayList<>();
                for (int i = 0; i < pcs.size(); ) {
                    List<Frame> frames = tab.frames(pcs.get(i) - 1);
                    assertFalse(frames.isEmpty(), "no function at 0x" + Long.toHexString(pcs.get(i)));
                    for (int k = 0; k < frames.size(); k++) {
                        Frame f = frames.get(k);
                        actual.add(f.printName() + " " + f.file() + ":" + f.line());
                        sawInlined |= f.inlined();
                        if (k > 0 && i + k < pcs.size()) {
                            assertEquals(pcs.get(i + k), f.pc() + 1, "virtual pc of " + f.function() + " in " + e.getKey());
                        }
                    }
                    i += frames.size();
                }
                assertEquals(e.getValue().lines, actual, e.getKey());
            }
            assertTrue(sawInlined, "the test program should have inlined frames");
        }
    }

    /** Every frame group and "created by" line of {@code runtime.Stack(buf, true)}: see {@link Tracebacks}. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("builds")
    void runtimeStackMatches(Variant v, String toolchain) {
        Path bin = TestBinaries.inlining(v, toolchain);
        List<String> stack = parse(Exec.run(Exec.cmd(bin.toString()))).get("stack").lines;
        try (GoBinary b = GoBinary.open(bin)) {
            Tracebacks.Checked c = Tracebacks.check(b.pclntab(), stack, false);
            assertTrue(c.groups() >= 4 && c.inlinedGroups() >= 3 && c.createdBy() >= 3, c.toString());
        }
    }

    private record Block(List<Long> pcs, List<String> lines) {}

    /**
     * Splits the program's output into its "=== callers TAG" blocks (pcs and frames), "=== stack"
     * and "=== record" (the run-time address of main.record, as its only pc).
     */
    private static Map<String, Block> parse(String out) {
        Map<String, Block> blocks = new LinkedHashMap<>();
        Block cur = null;
        int n = 0;
        for (String line : out.split("\n")) {
            if (line.startsWith("=== ")) {
                String[] f = line.split(" ");
                cur = new Block(new ArrayList<>(), new ArrayList<>());
                blocks.put(f[1].equals("callers") ? f[2] + "#" + n++ : f[1], cur);
                if (f[1].equals("record")) {
                    cur.pcs.add(Long.decode(f[2]));
                }
            } else if (cur != null && line.startsWith("pc ") && !blocks.containsKey("stack")) {
                cur.pcs.add(Long.decode(line.substring(3)));
            } else if (cur != null && line.startsWith("frame ") && !blocks.containsKey("stack")) {
                cur.lines.add(line.substring(6));
            } else if (cur != null) {
                cur.lines.add(line);
            }
        }
        assertTrue(blocks.containsKey("stack") && blocks.size() >= 5, "unexpected output: " + out);
        return blocks;
    }
}
