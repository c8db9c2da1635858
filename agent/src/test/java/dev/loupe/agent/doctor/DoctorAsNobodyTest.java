package dev.loupe.agent.doctor;

import dev.loupe.bpf.btf.Btf;
import dev.loupe.testkit.Gate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The doctor as user nobody without capabilities: every BPF check says MISSING and what to do, nothing crashes. */
class DoctorAsNobodyTest {
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    @Test
    void withoutPrivilegesEachBpfCheckIsMissingWithARemedy(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        Gate.require(Files.isExecutable(SETPRIV), SETPRIV + " (util-linux) is needed to drop privileges");
        // nobody cannot read the build tree under /root: give it its own copy of the classes.
        String classpath = copy(codeSource(Doctor.class), dir.resolve("agent")) + ":"
                + copy(codeSource(Btf.class), dir.resolve("bpf"));
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        Path out = dir.resolve("out.txt");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(SETPRIV.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all", java, "--enable-native-access=ALL-UNNAMED", "-cp", classpath,
                Doctor.class.getName())
                .redirectErrorStream(true).redirectOutput(out.toFile()).directory(dir.toFile())
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "doctor did not finish");
        List<String> lines = Files.readAllLines(out);
        String all = String.join("\n", lines);
        assertEquals(1, p.exitValue(), all);
        for (String check : List.of("bpf", "ring buffer", "uprobe PMU", "task iterator")) {
            int i = indexOf(lines, check);
            assertTrue(lines.get(i).startsWith("MISSING") && lines.get(i).contains("EPERM"), lines.get(i));
            assertTrue(lines.get(i + 1).strip().startsWith("→ run as root, or grant CAP_"), lines.get(i + 1));
        }
        assertTrue(lines.get(indexOf(lines, "BTF")).startsWith("OK"), all);
        assertTrue(lines.get(indexOf(lines, "privileges")).startsWith("WARN"), all);
        assertTrue(lines.stream().noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ")), all);
    }

    private static int indexOf(List<String> lines, String check) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).substring(Math.min(9, lines.get(i).length())).startsWith(check + " ")) {
                return i;
            }
        }
        throw new AssertionError("no line for " + check + " in " + lines);
    }

    private static Path codeSource(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Copies a classes directory or a jar; returns the classpath entry for the copy. */
    private static Path copy(Path from, Path to) throws IOException {
        if (Files.isRegularFile(from)) {
            Path jar = Path.of(to + ".jar");
            Files.copy(from, jar, StandardCopyOption.REPLACE_EXISTING);
            return jar;
        }
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
