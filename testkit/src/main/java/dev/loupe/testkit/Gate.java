package dev.loupe.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gates for tests that need privileges or kernel features. On a developer laptop a
 * missing feature skips the test; when the {@code CI} environment variable is set
 * (CI runs as root on a machine with BPF), the same condition fails the test, so
 * that a silent skip can never pass for a green run.
 */
public final class Gate {
    private Gate() {}

    /** True when running under CI, where every gated test must run. */
    public static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isEmpty() && !ci.equals("false") && !ci.equals("0");
    }

    /** Skips (or, in CI, fails) unless {@code condition} holds. */
    public static void require(boolean condition, String what) {
        if (condition) {
            return;
        }
        if (inCi()) {
            Assertions.fail("CI must run this test, but " + what);
        }
        Assumptions.abort(what);
    }

    /** Requires root (uid 0): BPF program loading, uprobes and ptrace of other users' processes. */
    public static void requireRoot() {
        require(isRoot(), "it needs root (running as uid " + uid() + ")");
    }

    /** True when the effective uid is 0. */
    public static boolean isRoot() {
        return uid() == 0;
    }

    private static long uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.split("\\s+")[2]);
                }
            }
        } catch (Exception e) {
            // Not Linux or no procfs: treat as unprivileged.
        }
        return -1;
    }
}
