package dev.loupe.app.cli;

import dev.loupe.testkit.Gate;
import dev.loupe.testkit.Nobody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void asNobodyItSaysWhatIsMissingAndFails(@TempDir Path dir) {
        Nobody.Result r = Nobody.java(dir, "dev.loupe.app.Main", "doctor");
        String output = r.output();
        assertEquals(1, r.status(), "doctor as nobody must fail:\n" + output);
        List<String> lines = output.lines().toList();
        for (String check : List.of("bpf", "ring buffer", "task iterator")) {
            int i = lineOf(lines, check);
            assertTrue(lines.get(i).startsWith("missing") && lines.get(i).contains("EPERM"), lines.get(i));
            assertTrue(lines.get(i + 1).strip().startsWith("to fix: run as root, or grant CAP_"), lines.get(i + 1));
        }
        assertTrue(lines.get(lineOf(lines, "BTF")).startsWith("ok"), output);
        assertTrue(lines.get(lineOf(lines, "privileges")).startsWith("warn"), output);
        assertFalse(output.contains("Exception") || output.contains("\tat "), "no stack trace:\n" + output);
        assertTrue(output.contains("snapshots cannot work on this machine"), output);
    }

    private static int lineOf(List<String> lines, String check) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).length() > 9 && lines.get(i).substring(9).startsWith(check + " ")) {
                return i;
            }
        }
        throw new AssertionError("no line for " + check + " in " + lines);
    }
}
