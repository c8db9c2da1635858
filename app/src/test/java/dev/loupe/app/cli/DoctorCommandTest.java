package dev.loupe.app.cli;

import dev.loupe.testkit.Exec;
import dev.loupe.testkit.Gate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DoctorCommandTest {

    @Test
    void asRootEveryRequiredCheckIsOk() {
        Gate.requireRoot();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = LoupeCommand.execute(new PrintWriter(out), new PrintWriter(err), "doctor");
        String text = out.toString();
        assertEquals(0, status, "doctor as root on this machine:\n" + text + err);
        for (String check : List.of("kernel", "bpf", "ring buffer", "uprobe", "task iterator", "btf", "ptrace", "privileges")) {
            assertTrue(text.lines().anyMatch(l -> l.startsWith("ok") && l.toLowerCase().contains(check)),
                    "an ok line for " + check + " in:\n" + text);
        }
        assertTrue(text.contains("snapshots can work on this machine"), text);
    }

    /** The whole CLI, in its own JVM, as user nobody: clear missing lines, exit 1, no stack trace. */
    @Test
    void asNobodyItSaysWhatIsMissingAndFails(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        Path cp = worldReadableClasspath(dir);
        List<String> argv = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", cp.toString() + "/*", "dev.loupe.app.Main", "doctor");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("HOME", dir.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "doctor finished");
        assertNotEquals(0, p.exitValue(), "doctor as nobody must fail:\n" + output);
        assertTrue(output.lines().anyMatch(l -> l.startsWith("missing")), "a missing line:\n" + output);
        assertTrue(output.contains("to fix:"), "says what to do:\n" + output);
        assertFalse(output.contains("Exception") || output.contains("\tat "), "no stack trace:\n" + output);
        assertTrue(output.contains("snapshots cannot work on this machine"), output);
    }

    /** Copies this test's class path to a directory user nobody can read (the Maven repository under /root is not). */
    private static Path worldReadableClasspath(Path dir) throws IOException {
        Path lib = dir.resolve("lib");
        Files.createDirectories(lib);
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path src = Path.of(entry);
            Path jar = lib.resolve((i++) + ".jar");
            if (Files.isDirectory(src)) {
                Exec.run(Exec.cmd(Path.of(System.getProperty("java.home"), "bin", "jar").toString(),
                        "cf", jar.toString(), "-C", src.toString(), "."));
            } else if (Files.isRegularFile(src)) {
                Files.copy(src, jar);
            }
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(all::add);
        }
        for (Path p : all) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }
        return lib;
    }
}
