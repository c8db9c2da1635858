package dev.loupe.app.cli;

import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoTargets;
import dev.loupe.testkit.GoToolchains;
import dev.loupe.testkit.Nobody;
import dev.loupe.testkit.RunningTarget;
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
            // A pc past a tiny function's code (in its padding) has no line: addr2line says ":-1", Loupe, as the
            // runtime's FileLine does, "?:0".
            String a2lPos = a2l.get(2 * i + 1).equals(":-1") ? "?:0" : a2l.get(2 * i + 1);
            assertEquals(a2lPos, innermostPos, blocks[i]);
        }
    }

    /** Every variable targets/values reports for a parked function is listed, with a location where it is parked. */
    @Test
    void varsListsWhatTheTargetItselfReports(@TempDir Path dir) throws Exception {
        Path oracle = dir.resolve("values.json");
        String json;
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("values"), List.of("-oracle", oracle.toString()),
                java.time.Duration.ofSeconds(60))) {
            json = java.nio.file.Files.readString(oracle);
        }
        Run r = loupe("binary", "vars", GoTargets.build("values").toString(), "main.parkScalars");
        assertEquals(0, r.status(), r.err());
        List<String> expected = topLevelKeys(json, "main.parkScalars");
        assertTrue(expected.size() > 10, expected::toString);
        List<String> listed = r.out().lines().filter(l -> l.matches("  (parameter|result|local) .*"))
                .map(l -> l.strip().split("\\s+")[1]).toList();
        assertTrue(listed.containsAll(expected), "listed " + listed + ", the target reports " + expected);
    }

    /** The layout equals what targets/values measures with unsafe.Offsetof and unsafe.Sizeof. */
    @Test
    void typeAgreesWithUnsafeOffsetof(@TempDir Path dir) throws Exception {
        Path layout = dir.resolve("layout.json");
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("values"), List.of("-layout", layout.toString()),
                java.time.Duration.ofSeconds(60))) {
            assertTrue(t.isAlive());
        }
        String json = java.nio.file.Files.readString(layout);
        for (String type : List.of("time.Time", "main.Employee", "main.Box[string]")) {
            Run r = loupe("binary", "type", GoTargets.build("values").toString(), type);
            assertEquals(0, r.status(), r.err());
            String block = block(json, type);
            java.util.regex.Matcher size = java.util.regex.Pattern.compile("^    \"size\": (\\d+)", java.util.regex.Pattern.MULTILINE).matcher(block);
            assertTrue(size.find(), block);
            assertTrue(r.out().startsWith(type + "  struct, size " + size.group(1) + "\n"), r.out());
            java.util.regex.Matcher field = java.util.regex.Pattern.compile(
                    "\"name\": \"([^\"]+)\",\\s*\"type\": \"[^\"]*\",\\s*\"offset\": (\\d+),\\s*\"size\": (\\d+)").matcher(block);
            int fields = 0;
            while (field.find()) {
                fields++;
                String row = String.format("  %6s %6s  %s ", field.group(2), field.group(3), field.group(1));
                assertTrue(r.out().contains(row), "'" + row + "' in\n" + r.out());
            }
            assertTrue(fields > 0, block);
        }
    }

    /** The text of a top-level member of indented JSON, up to the next top-level member. */
    private static String block(String json, String key) {
        int start = json.indexOf("\n  \"" + key + "\": {");
        assertTrue(start >= 0, key + " in the oracle");
        int end = json.indexOf("\n  }", start);
        return json.substring(start, end);
    }

    /** The keys of a top-level object member of indented JSON (two spaces per level). */
    private static List<String> topLevelKeys(String json, String key) {
        return block(json, key).lines().filter(l -> l.matches("    \"[^\"]+\": .*"))
                .map(l -> l.substring(5, l.indexOf('"', 5))).toList();
    }

    /** A file the user may not read: one line, for a user without privileges (root reads anything). */
    @Test
    void anUnreadableFileIsOneLine(@TempDir Path dir) throws Exception {
        Path secret = java.nio.file.Files.copy(GoTargets.build("stacks"), dir.resolve("secret"));
        java.nio.file.Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Nobody.Result r = Nobody.java(dir.resolve("run"), "dev.loupe.app.Main", "binary", "info", secret.toString());
        assertEquals(1, r.status(), r.output());
        assertEquals(1, r.output().lines().count(), r.output());
        assertTrue(r.output().startsWith("loupe binary info: " + secret) && r.output().toLowerCase().contains("permission denied"), r.output());
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

        Run noDwarf = loupe("binary", "vars", GoTargets.build(GoBuild.target("stacks").asStripped()).toString(), "main.main");
        assertEquals(1, noDwarf.status(), noDwarf.err());
        assertTrue(noDwarf.err().contains("no DWARF"), noDwarf.err());

        Run typo = loupe("binary", "vars", GoTargets.build("stacks").toString(), "main.chanRecvInnr");
        assertEquals(2, typo.status(), typo.err());
        assertTrue(typo.err().contains("did you mean main.chanRecvInner"), typo.err());

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
