package dev.loupe.agent.pause;

import dev.loupe.agent.internal.sys.Errno;
import dev.loupe.agent.internal.sys.Procfs;
import dev.loupe.agent.internal.sys.Ptrace;
import dev.loupe.agent.internal.sys.Realtime;
import dev.loupe.agent.internal.sys.SysException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Every thread of a process, stopped. Each thread is seized with {@code PTRACE_SEIZE} and stopped with
 * {@code PTRACE_INTERRUPT}, which the process cannot observe (no SIGSTOP), and which the kernel undoes if
 * the tracer exits or is killed at any instant: a Loupe that dies never leaves a target traced.
 *
 * <p>The kernel binds a tracee to the tracer thread, so every ptrace call runs on one platform thread owned
 * by this object. A budget bounds the pause: when it runs out, that thread resumes the process by itself,
 * even while the caller is still reading, and {@link #resume()} then reports the overrun. When the pause
 * ends, that thread exits, and the kernel releases whatever it still traced (exit_ptrace): a thread seized
 * but never stopped, on an error path, cannot be left traced.
 */
public final class ProcessPause implements AutoCloseable {
    /** {@code PTRACE_EVENT_STOP}: the stop a {@code PTRACE_INTERRUPT} causes. */
    private static final int EVENT_STOP = 128;
    private static final int SIGTRAP = 5;
    private static final int RESCANS = 8;
    private static final int SPINS = 16;
    private static final long POLL_NANOS = 20_000;
    /** Every so many polls, a thread that has not stopped is checked for having exited. */
    private static final int EXIT_CHECK_POLLS = 32;
    /** How long a thread that refused to be seized may take to show that it is exiting. */
    private static final long EXIT_GRACE_NANOS = 200_000_000;

    private final int pid;
    private final Duration budget;
    private final ScheduledExecutorService tracer;
    /** Seized threads, with the signal each must get back when detached (0 for none). */
    private final Map<Integer, Integer> traced = new LinkedHashMap<>();
    private int stopped;
    private long stopStartNs;
    private long stopEndNs;
    private long resumedNs;
    private boolean overran;
    private ScheduledFuture<?> watchdog;

    private ProcessPause(int pid, Duration budget) {
        this.pid = pid;
        this.budget = budget;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name("loupe-ptrace-" + pid).unstarted(r));
        executor.setRemoveOnCancelPolicy(true);
        this.tracer = executor;
    }

    /**
     * Stops every thread of {@code pid}. The budget counts from the first
     * interrupt; it covers stopping, the caller's work and resuming.
     *
     * @throws PauseException if the process does not exist, cannot be traced, or did not stop in time;
     *                        the process is running again when this is thrown
     */
    public static ProcessPause stop(int pid, Duration budget) throws PauseException {
        ProcessPause p = new ProcessPause(pid, budget);
        p.tracer.execute(ProcessPause::warmUp);
        try {
            p.onTracer(p::stopAll);
            return p;
        } catch (PauseException e) {
            p.close();
            throw e;
        }
    }

    /** The process id. */
    public int pid() {
        return pid;
    }

    /** How many threads were stopped. */
    public int stoppedThreads() {
        return stopped;
    }

    /** How long stopping took, from the first interrupt to the last thread seen traced. */
    public long stopNanos() {
        return stopEndNs - stopStartNs;
    }

    /**
     * Resumes every thread and returns how long the process was paused, from the first interrupt to the
     * last detach.
     *
     * @throws PauseException if the budget ran out before, so the process was resumed early: whatever was
     *                        read after that moment may be inconsistent
     */
    public long resume() throws PauseException {
        onTracer(this::detachAll);
        tracer.shutdown();
        if (overran) {
            throw new PauseException(PauseException.Reason.BUDGET, "the pause of process " + pid + " ran over its budget of "
                    + budget.toMillis() + " ms and the process was resumed early; raise the pause budget or capture less");
        }
        return resumedNs - stopStartNs;
    }

    /** Resumes the process if it is still paused; never throws. */
    @Override
    public void close() {
        try {
            onTracer(this::detachAll);
        } catch (PauseException ignored) {
            // Detaching failed only for threads that are gone; the rest are running.
        } finally {
            tracer.shutdownNow();
        }
    }

    private interface TracerWork {
        void run() throws PauseException;
    }

    private void onTracer(TracerWork work) throws PauseException {
        if (tracer.isShutdown()) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        tracer.execute(() -> {
            try {
                work.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PauseException p) {
                throw p;
            }
            throw new PauseException(PauseException.Reason.FAILED, "pausing process " + pid + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PauseException(PauseException.Reason.FAILED, "interrupted while pausing process " + pid, e);
        }
    }

    /**
     * Links the native calls of the stop loop before the clock starts: the first downcall through
     * java.lang.foreign costs tens of milliseconds, which must not be spent while the target is traced.
     */
    private static void warmUp() {
        // The tracer thread lives as long as the pause; it must get a CPU at once when a thread stops or the
        // pause ends, not after the agent's own garbage collector or JIT compiler.
        Realtime.raise();
        try {
            Ptrace.peek((int) ProcessHandle.current().pid());
        } catch (SysException expected) {
            // ECHILD: this process is not its own child; the call path is linked, which is all we wanted.
        }
        try {
            Ptrace.detach((int) ProcessHandle.current().pid(), 0);
        } catch (SysException expected) {
            // ESRCH: likewise; resuming is now as fast as stopping.
        }
    }

    /**
     * Runs on the tracer thread. Seizing does not stop a thread, so every thread is seized first and the
     * pause starts with a burst of interrupts; a thread cloned meanwhile appears in a later scan.
     */
    private void stopAll() throws PauseException {
        List<Integer> seized = seize(threads());
        stopStartNs = System.nanoTime();
        long deadline = stopStartNs + budget.toNanos();
        watchdog = tracer.schedule(this::overrun, budget.toNanos(), TimeUnit.NANOSECONDS);
        for (int scan = 0; scan < RESCANS; scan++) {
            List<Integer> interrupted = new ArrayList<>();
            for (int tid : seized) {
                if (interrupt(tid)) {
                    interrupted.add(tid);
                }
            }
            awaitStops(interrupted, deadline);
            seized = seize(threads().stream().filter(tid -> !traced.containsKey(tid)).toList());
            if (seized.isEmpty()) {
                stopEndNs = System.nanoTime();
                if (traced.isEmpty()) {
                    throw new PauseException(PauseException.Reason.GONE, "process " + pid + " exited as it was being paused");
                }
                return;
            }
        }
        detachAll();
        throw new PauseException(PauseException.Reason.FAILED, "process " + pid + " kept creating threads while being paused; try again");
    }

    /** Seizes each thread; returns those that still existed. */
    private List<Integer> seize(List<Integer> tids) throws PauseException {
        List<Integer> seized = new ArrayList<>();
        for (int tid : tids) {
            try {
                Ptrace.seize(tid);
            } catch (SysException e) {
                // An exiting thread refuses with EPERM (it has an exit state): that is no permission problem.
                if (e.is(Errno.ESRCH) || e.is(Errno.EPERM) && exiting(tid)) {
                    continue;
                }
                detachAll();
                throw new PauseException(e.is(Errno.EPERM) ? PauseException.Reason.PERMISSION : PauseException.Reason.FAILED,
                        seizeFailure(e), e);
            }
            traced.put(tid, 0);
            seized.add(tid);
        }
        return seized;
    }

    /** Interrupts one seized thread; false if it is already gone. */
    private boolean interrupt(int tid) throws PauseException {
        try {
            Ptrace.interrupt(tid);
            return true;
        } catch (SysException e) {
            if (e.is(Errno.ESRCH)) {
                traced.remove(tid);
                return false;
            }
            detachAll();
            throw new PauseException(PauseException.Reason.FAILED, "PTRACE_INTERRUPT of thread " + tid + " of process " + pid + ": " + e.getMessage(), e);
        }
    }

    /** True once the thread is gone or a zombie, waiting for that at most {@link #EXIT_GRACE_NANOS}. */
    private boolean exiting(int tid) {
        long deadline = System.nanoTime() + EXIT_GRACE_NANOS;
        while (!Procfs.exited(pid, tid)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS * 50);
        }
        return true;
    }

    private String seizeFailure(SysException e) {
        if (e.is(Errno.EPERM)) {
            return "no permission to pause process " + pid + " (ptrace refused): run as root or with CAP_SYS_PTRACE,"
                    + " and check kernel.yama.ptrace_scope ('loupe doctor' tells)";
        }
        return "cannot pause process " + pid + ": PTRACE_SEIZE failed: " + e.getMessage();
    }

    /**
     * Polls each thread with {@link Ptrace#peek} (waitid with {@code WNOWAIT}), which leaves a stop's signal with the
     * thread, so that the thread gets it whoever detaches it, this tracer or the kernel after this process died:
     * a few times at once, since a thread that is already on a CPU
     * stops within microseconds, then sleeping {@link #POLL_NANOS} between polls: the threads still to stop
     * need a CPU to get there, and a spinning tracer would hold one of them for a whole scheduler time slice
     * (measured: 35 ms on 2 cores with one busy goroutine, against under 1 ms when sleeping). Only the tracer
     * is told of ptrace stops, unless the target is also a child of this JVM, whose process reaper would
     * then take them: never pause a process this JVM started itself.
     */
    private void awaitStops(List<Integer> tids, long deadline) throws PauseException {
        List<Integer> waiting = new ArrayList<>(tids);
        for (int poll = 0; !waiting.isEmpty(); poll++) {
            for (var it = waiting.iterator(); it.hasNext(); ) {
                int tid = it.next();
                Ptrace.WaitStatus status;
                try {
                    status = Ptrace.peek(tid).orElse(null);
                } catch (SysException e) {
                    if (e.is(Errno.ECHILD)) {
                        traced.remove(tid);
                        it.remove();
                        continue;
                    }
                    detachAll();
                    throw new PauseException(PauseException.Reason.FAILED, "waiting for thread " + tid + " of process " + pid + " to stop: " + e.getMessage(), e);
                }
                if (status == null) {
                    // A zombie thread reports nothing (a group leader not until its whole group has exited).
                    if (poll >= SPINS && poll % EXIT_CHECK_POLLS == 0 && Procfs.exited(pid, tid)) {
                        traced.remove(tid);
                        it.remove();
                    }
                    continue;
                }
                if (status.exited() || status.signaled()) {
                    reap(tid);
                    traced.remove(tid);
                } else if (status.stopped()) {
                    boolean interruptStop = status.stopSignal() == SIGTRAP && status.event() == EVENT_STOP;
                    if (!interruptStop) {
                        // A signal arrived first: the thread is stopped in signal-delivery-stop; hand it back on detach.
                        traced.put(tid, status.stopSignal());
                    }
                    stopped++;
                }
                it.remove();
            }
            if (!waiting.isEmpty()) {
                if (System.nanoTime() - deadline >= 0) {
                    detachAll();
                    throw new PauseException(PauseException.Reason.BUDGET, "thread " + waiting.getFirst() + " of process " + pid + " did not stop within "
                            + budget.toMillis() + " ms (blocked in the kernel?); try again or raise the pause budget");
                }
                if (poll < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(POLL_NANOS);
                }
            }
        }
    }

    /** Takes the exit of a traced thread, which peeking left pending. */
    private static void reap(int tid) {
        try {
            Ptrace.poll(tid);
        } catch (SysException gone) {
            // ECHILD: reaped already, or no longer ours.
        }
    }

    /** Runs on the tracer thread when the budget runs out. */
    private void overrun() {
        if (!traced.isEmpty()) {
            overran = true;
            detachAll();
        }
    }

    /** Runs on the tracer thread; idempotent. */
    private void detachAll() {
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        for (var e : traced.entrySet()) {
            try {
                Ptrace.detach(e.getKey(), e.getValue());
            } catch (SysException ignored) {
                // ESRCH: the thread exited while stopped; nothing to resume.
            }
        }
        if (!traced.isEmpty()) {
            resumedNs = System.nanoTime();
        }
        traced.clear();
    }

    private List<Integer> threads() throws PauseException {
        Path tasks = Path.of("/proc", Integer.toString(pid), "task");
        try (Stream<Path> s = Files.list(tasks)) {
            return s.map(p -> Integer.parseInt(p.getFileName().toString())).sorted().toList();
        } catch (NoSuchFileException e) {
            throw new PauseException(PauseException.Reason.GONE, "process " + pid + " does not exist (or has exited)");
        } catch (IOException e) {
            throw new PauseException(PauseException.Reason.FAILED, "cannot list the threads of process " + pid + ": " + e.getMessage(), e);
        }
    }
}
