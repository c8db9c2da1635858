package dev.loupe.app.cli;

import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoTargets;
import dev.loupe.testkit.GoToolchains;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code loupe binary} against the Go toolchain's own tools. */
class BinaryCommandTest {
    private record Run(int status, String out, String err) {}

    private static Run loupe(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = LoupeCommand.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(status, out.toString(), err.toString());
    }

    private static String go(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(GoToolchains.goExecutable()));
        argv.addAll(List.of(args));
        return Exec.run(Exec.cmd(argv).env("GOTOOLCHAIN", GoToolchains.LOCAL));
    }

    @Test
    void infoAgreesWithGoVersionAndReadelf() {
        Path bin = GoTargets.build("stacks");
        Run r = loupe("binary", "info", bin.toString());
        assertEquals(0, r.status(), r.err());
        String goVersion = go("version", bin.toString()).strip().replaceFirst("^.*: ", "");
        assertTrue(r.out().contains("\ngo version    " + goVersion + "\n"), r.out());
        assertTrue(r.out().contains("\nmodule        loupe.test/targets"), r.out());
        String buildId = go("tool", "buildid", bin.toString()).strip();
        assertTrue(r.out().contains("\ngo build id   " + buildId + "\n"), r.out());
        assertTrue(r.out().contains("\nsymbols       present\n"), r.out());

        Run stripped = loupe("binary", "info", GoTargets.build(GoBuild.target("stacks").asStripped()).toString());
        assertTrue(stripped.out().contains("\nsymbols       stripped\n") && stripped.out().contains("\ndwarf         absent\n"), stripped.out());
    }

    @Test
    void funcsAgreeWithGoToolNm() {
        Path bin = GoTargets.build("stacks");
        Run r = loupe("binary", "funcs", bin.toString(), "^main\\.");
        assertEquals(0, r.status(), r.err());
        Map<String, String> ours = new TreeMap<>();
        for (String line : r.out().lines().toList()) {
            String[] f = line.split(" ");
            ours.put(f[0], Long.toHexString(Long.decode(f[1])));
        }
        Map<String, String> nm = go("tool", "nm", bin.toString()).lines()
                .map(l -> l.strip().split("\\s+"))
                .filter(f -> f.length == 3 && (f[1].equals("T") || f[1].equals("t")) && f[2].startsWith("main."))
                .collect(Collectors.toMap(f -> f[2], f -> f[0].replaceFirst("^0+", ""), (a, b) -> a, TreeMap::new));
        assertTrue(nm.size() > 10, "the stacks target has main functions: " + nm);
        assertEquals(nm, ours);
    }

    @Test
    void pcAgreesWithGoToolAddr2line() {
        Path bin = GoTargets.build("stacks");
        List<String> entries = loupe("binary", "funcs", bin.toString(), "^main\\.").out().lines()
                .map(l -> l.split(" ")[1]).toList();
        // A pc a few bytes into each main function: past the prologue, often inside an inlined call.
        List<String> pcs = entries.stream().map(e -> "0x" + Long.toHexString(Long.decode(e) + 9)).toList();
        List<String> args = new java.util.ArrayList<>(List.of("binary", "pc", bin.toString()));
        args.addAll(pcs);
        Run r = loupe(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        String input = String.join("\n", pcs) + "\n";
        Path in = writeTemp(input);
        List<String> a2l = Exec.run(Exec.cmd("sh", "-c", "'" + GoToolchains.goExecutable() + "' tool addr2line '" + bin + "' < '" + in + "'")
                .env("GOTOOLCHAIN", GoToolchains.LOCAL)).lines().toList();
        String[] blocks = r.out().split("\n(?=0x)");
        assertEquals(pcs.size(), blocks.length, r.out());
        for (int i = 0; i < pcs.size(); i++) {
            List<String> lines = blocks[i].lines().toList();
            // addr2line names the outermost (real) function and gives the innermost file:line.
            String outermost = lines.get(lines.size() - 2).strip().replace("  (inlined)", "");
            String innermostPos = lines.get(2).strip();
            assertEquals(a2l.get(2 * i).replace("[...]", ""), outermost.replace("[...]", ""), blocks[i]);
            assertEquals(a2l.get(2 * i + 1), innermostPos, blocks[i]);
        }
    }

    @Test
    void badInputGetsOneLine(@TempDir Path dir) {
        Run notElf = loupe("binary", "info", dir.toString());
        assertEquals(1, notElf.status());
        assertEquals(1, notElf.err().lines().count(), notElf.err());
        assertTrue(notElf.err().startsWith("loupe binary info: " + dir), notElf.err());

        Run badPc = loupe("binary", "pc", GoTargets.build("stacks").toString(), "zz");
        assertEquals(2, badPc.status(), badPc.err());
        assertTrue(badPc.err().contains("'zz' is not a hex pc"), badPc.err());

        Run badRegex = loupe("binary", "funcs", GoTargets.build("stacks").toString(), "(");
        assertEquals(2, badRegex.status(), badRegex.err());
        assertTrue(badRegex.err().contains("is not a valid regular expression"), badRegex.err());
    }

    private static Path writeTemp(String text) {
        try {
            Path p = java.nio.file.Files.createTempFile("pcs", ".txt");
            p.toFile().deleteOnExit();
            return java.nio.file.Files.writeString(p, text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
