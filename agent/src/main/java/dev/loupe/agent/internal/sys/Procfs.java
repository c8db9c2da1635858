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

    /** {@code PF_EXITING} in {@code task_struct.flags}: the thread is in do_exit. */
    private static final long PF_EXITING = 0x4;
    /** SIGKILL's bit in a signal mask of {@code /proc/PID/status}. */
    private static final long SIGKILL_BIT = 1L << 8;

    /**
     * True when thread {@code tid} of process {@code pid} is gone, exiting or about to: a zombie ({@code Z} or
     * {@code X} in {@code /proc/PID/task/TID/stat}), in do_exit ({@code PF_EXITING} in its flags), or with a SIGKILL
     * pending ({@code SigPnd}/{@code ShdPnd} of its status), which no thread survives. {@code tid == pid} asks about
     * the main thread, which a process keeps until it is reaped as a whole.
     */
    public static boolean exited(int pid, int tid) {
        Path task = Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid));
        try {
            String stat = Files.readString(task.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            char state = fields[0].charAt(0);
            if (state == 'Z' || state == 'X' || (Long.parseLong(fields[6]) & PF_EXITING) != 0) {
                return true;
            }
            for (String line : Files.readAllLines(task.resolve("status"))) {
                if ((line.startsWith("SigPnd:") || line.startsWith("ShdPnd:"))
                        && (Long.parseUnsignedLong(line.substring(7).strip(), 16) & SIGKILL_BIT) != 0) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException gone) {
            return true;
        }
    }
}
