package dev.loupe.agent.internal.sys;

import java.time.Duration;
import java.util.Optional;

/**
 * The {@code ptrace(2)} requests that pause a process without a signal it could see: {@code PTRACE_SEIZE},
 * {@code PTRACE_INTERRUPT}, {@code PTRACE_DETACH}. The kernel binds a tracee to the tracer thread, so every call
 * for one tracee must come from the same platform thread (never a virtual thread, whose carrier may change).
 * A seized process is detached and resumes automatically if the tracer dies.
 */
public final class Ptrace {
    private Ptrace() {}

    private static final int PTRACE_DETACH = 17;
    private static final int PTRACE_SEIZE = 0x4206;
    private static final int PTRACE_INTERRUPT = 0x4207;
    /** {@code __WALL}: wait for clone and non-clone children alike, as tracers must. */
    static final int WALL = 0x4000_0000;
    static final int WNOHANG = 1;
    private static final Duration POLL = Duration.ofMillis(1);

    /** {@code PTRACE_SEIZE}: become the tracer without stopping the process. */
    public static void seize(int pid) throws SysException {
        Syscalls.ptrace(PTRACE_SEIZE, pid, 0, 0, "PTRACE_SEIZE");
    }

    /** {@code PTRACE_INTERRUPT}: stop a seized process; wait for the stop with {@link #waitFor}. */
    public static void interrupt(int pid) throws SysException {
        Syscalls.ptrace(PTRACE_INTERRUPT, pid, 0, 0, "PTRACE_INTERRUPT");
    }

    /** {@code PTRACE_DETACH}: stop tracing; a stopped process resumes. */
    public static void detach(int pid) throws SysException {
        Syscalls.ptrace(PTRACE_DETACH, pid, 0, 0, "PTRACE_DETACH");
    }

    /**
     * Waits for a state change of a child or tracee ({@code waitpid} with {@code __WALL}), polling so that the
     * wait is bounded.
     *
     * @return the status, or empty if nothing happened within {@code timeout}
     */
    public static Optional<WaitStatus> waitFor(int pid, Duration timeout) throws SysException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int status = Syscalls.waitpid(pid, WALL | WNOHANG);
            if (status != -1) {
                return Optional.of(new WaitStatus(status));
            }
            if (System.nanoTime() - deadline >= 0) {
                return Optional.empty();
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /**
     * A raw {@code waitpid} status, decoded like the {@code W*} macros of {@code sys/wait.h}.
     *
     * @param raw the status word
     */
    public record WaitStatus(int raw) {
        /** {@code PTRACE_EVENT_STOP}: the stop caused by {@code PTRACE_INTERRUPT} on a seized tracee. */
        public static final int EVENT_STOP = 128;

        /** {@code WIFEXITED}. */
        public boolean exited() {
            return (raw & 0x7f) == 0;
        }

        /** {@code WIFSIGNALED}. */
        public boolean signaled() {
            int sig = raw & 0x7f;
            return sig != 0 && sig != 0x7f;
        }

        /** {@code WIFSTOPPED}. */
        public boolean stopped() {
            return (raw & 0xff) == 0x7f;
        }

        /** {@code WSTOPSIG}. */
        public int stopSignal() {
            return raw >> 8 & 0xff;
        }

        /** The ptrace event of a stop, {@code status >> 16}; {@link #EVENT_STOP} after {@code PTRACE_INTERRUPT}. */
        public int event() {
            return raw >>> 16;
        }

        @Override
        public String toString() {
            if (exited()) {
                return "exited with " + (raw >> 8 & 0xff);
            }
            if (signaled()) {
                return "killed by signal " + (raw & 0x7f);
            }
            if (stopped()) {
                return "stopped by signal " + stopSignal() + (event() != 0 ? ", ptrace event " + event() : "");
            }
            return String.format("status 0x%x", raw);
        }
    }
}
