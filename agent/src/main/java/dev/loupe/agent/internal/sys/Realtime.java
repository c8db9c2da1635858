package dev.loupe.agent.internal.sys;

/**
 * The calling thread at the lowest real-time priority ({@code SCHED_FIFO} 1, sched(7)) until closed, when it gets
 * its normal policy back. For the threads a pause waits on: while the target is stopped, the agent's tracer and the
 * thread running the program must not wait for a CPU behind the agent's own garbage collector or JIT compiler (on a
 * small host that cost milliseconds of pause). Without {@code CAP_SYS_NICE} the thread simply keeps its policy.
 */
public final class Realtime implements AutoCloseable {
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_FIFO = 1;
    private final boolean raised;

    private Realtime(boolean raised) {
        this.raised = raised;
    }

    /** Raises the calling thread, if allowed. */
    public static Realtime raise() {
        try {
            if (Syscalls.schedGetScheduler() != SCHED_OTHER) {
                return new Realtime(false);
            }
            Syscalls.schedSetScheduler(SCHED_FIFO, 1);
            return new Realtime(true);
        } catch (SysException notAllowed) {
            return new Realtime(false);
        }
    }

    /** Back to {@code SCHED_OTHER}; call from the same thread. */
    @Override
    public void close() {
        if (raised) {
            try {
                Syscalls.schedSetScheduler(SCHED_OTHER, 0);
            } catch (SysException e) {
                throw new IllegalStateException("cannot return the thread to SCHED_OTHER: " + e.getMessage(), e);
            }
        }
    }
}
