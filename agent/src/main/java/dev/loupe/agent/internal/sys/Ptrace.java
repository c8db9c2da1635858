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
    private static final int WEXITED = 4;
    private static final int WSTOPPED = 2;
    /** {@code WNOWAIT}: report a state change but leave it pending, as if not waited for. */
    private static final int WNOWAIT = 0x0100_0000;
    private static final int CLD_EXITED = 1;
    private static final int CLD_KILLED = 2;
    private static final int CLD_DUMPED = 3;
    private static final int CLD_TRAPPED = 4;
    private static final int CLD_STOPPED = 5;
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
        detach(pid, 0);
    }

    /** {@code PTRACE_DETACH} delivering {@code signal} (0 for none): a signal that stopped the tracee is not lost. */
    public static void detach(int pid, int signal) throws SysException {
        Syscalls.ptrace(PTRACE_DETACH, pid, 0, signal, "PTRACE_DETACH");
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

    /** One non-blocking {@code waitpid(tid, __WALL|WNOHANG)}: empty when the tracee has nothing to report yet. */
    public static Optional<WaitStatus> poll(int tid) throws SysException {
        int status = Syscalls.waitpid(tid, WALL | WNOHANG);
        return status == -1 ? Optional.empty() : Optional.of(new WaitStatus(status));
    }

    /**
     * Like {@link #poll}, but leaves the state change pending ({@code waitid} with {@code WNOWAIT}). A tracer that
     * waits for a signal-delivery-stop the usual way takes the signal with it (the kernel zeroes the stop's exit
     * code), so that if the tracer then dies before resuming the thread with the signal, the signal is lost: a Go
     * process then misses the SIGURG of an async preemption, which its runtime never sends again, and its next
     * stop-the-world hangs. Peeked at this way, the stop keeps its signal, which the thread then receives when it
     * is detached by the kernel (the tracer died) as well as by {@link #detach(int, int)}.
     *
     * @return the status, encoded as {@code waitpid} would have; empty when there is nothing to report yet
     */
    public static Optional<WaitStatus> peek(int tid) throws SysException {
        long r = Syscalls.waitid(tid, WALL | WNOHANG | WNOWAIT | WEXITED | WSTOPPED);
        if (r == -1) {
            return Optional.empty();
        }
        int code = (int) (r >>> 32);
        int status = (int) r;
        return Optional.of(new WaitStatus(switch (code) {
            case CLD_EXITED -> (status & 0xff) << 8;
            case CLD_KILLED, CLD_DUMPED -> status & 0x7f;
            // A ptrace stop's si_status is its exit code: the signal, and a ptrace event above it.
            case CLD_TRAPPED, CLD_STOPPED -> status << 8 | 0x7f;
            default -> 0xffff;
        }));
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
