package dev.loupe.agent.internal.sys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What the agent reads from {@code /proc} (proc(5)). */
public final class Procfs {
    private static final int MAX_SYSCTL_BYTES = 4096;

    private Procfs() {}

    /**
     * The value of the kernel parameter {@code dotted} (e.g. {@code kernel.yama.ptrace_scope}), stripped; empty if it
     * cannot be read. It is read in one {@code read(2)} from offset 0: these files report a size of 0 and
     * {@code Files.readString} reads them in pieces, where the kernel's integer handlers answer a read at a non-zero
     * offset with nothing, so {@code kernel.pid_max} would read as its first digit.
     */
    public static Optional<String> sysctl(String dotted) {
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys", dotted.split("\\.")))) {
            return Optional.of(new String(in.readNBytes(MAX_SYSCTL_BYTES), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * True when thread {@code tid} of process {@code pid} is gone, or has exited and waits to be reaped (state
     * {@code Z} or {@code X} in {@code /proc/PID/task/TID/stat}); {@code tid == pid} asks about the main thread,
     * which a process keeps until it is reaped as a whole.
     */
    public static boolean exited(int pid, int tid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException gone) {
            return true;
        }
    }
}
