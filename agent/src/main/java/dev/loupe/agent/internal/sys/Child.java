package dev.loupe.agent.internal.sys;

import java.time.Duration;
import java.util.Optional;

/**
 * A child process started with {@code posix_spawn(3)} rather than {@link ProcessBuilder}, so that the JVM's
 * process reaper does not wait on it: a tracer must see its tracee's stops itself. Closing kills the child and
 * reaps it, within a bounded wait; call it from the thread that traced the child, if any.
 */
public final class Child implements AutoCloseable {
    private static final int SIGKILL = 9;
    private static final Duration REAP_TIMEOUT = Duration.ofSeconds(5);

    private final int pid;
    private boolean reaped;

    private Child(int pid) {
        this.pid = pid;
    }

    /** Starts {@code argv[0]} (an absolute path) with {@code argv}, an empty environment and the JVM's stdio. */
    public static Child spawn(String... argv) throws SysException {
        return new Child(Syscalls.posixSpawn(argv));
    }

    public int pid() {
        return pid;
    }

    /** Kills ({@code SIGKILL}, which also ends any ptrace stop) and reaps the child. */
    @Override
    public void close() throws SysException {
        if (reaped) {
            return;
        }
        try {
            Syscalls.kill(pid, SIGKILL);
        } catch (SysException e) {
            if (!e.is(Errno.ESRCH)) {
                throw e;
            }
        }
        long deadline = System.nanoTime() + REAP_TIMEOUT.toNanos();
        while (!reaped) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            Optional<Ptrace.WaitStatus> status = Ptrace.waitFor(pid, left);
            if (status.isEmpty()) {
                throw new SysException("waitpid " + pid + ": not reaped within " + REAP_TIMEOUT.toSeconds() + " s",
                        Errno.EAGAIN.number());
            }
            reaped = status.get().exited() || status.get().signaled();
        }
    }
}
