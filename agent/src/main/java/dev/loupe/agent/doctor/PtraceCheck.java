package dev.loupe.agent.doctor;

import dev.loupe.agent.internal.sys.Child;
import dev.loupe.agent.internal.sys.Procfs;
import dev.loupe.agent.internal.sys.Ptrace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How a snapshot pauses a process: {@code PTRACE_SEIZE}, {@code PTRACE_INTERRUPT}, wait for the stop,
 * {@code PTRACE_DETACH}, tried on a {@code sleep} child of this JVM that is killed and reaped afterwards; and the
 * Yama policy and capability that decide which other processes may be traced.
 */
final class PtraceCheck implements Check {
    private static final List<Path> SLEEP = List.of(Path.of("/bin/sleep"), Path.of("/usr/bin/sleep"));
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(2);
    /** Longer than every bounded wait inside the trial together. */
    private static final Duration TRIAL_TIMEOUT = Duration.ofSeconds(15);

    @Override
    public String name() {
        return "ptrace";
    }

    @Override
    public boolean required() {
        return true;
    }

    @Override
    public String fallbackRemedy() {
        return PTRACE_PRIVILEGE;
    }

    @Override
    public Finding run(Host host) throws Exception {
        Optional<Integer> scope = Procfs.sysctl("kernel.yama.ptrace_scope").map(Integer::parseInt);
        String yama = scope.map(s -> "Yama ptrace_scope=" + s).orElse("no Yama LSM");
        if (scope.orElse(0) >= 3) {
            return Finding.missing(name(), yama + " forbids all ptrace",
                    "set kernel.yama.ptrace_scope=1 (sysctl; scope 3 can only be lowered by a reboot)", required());
        }
        String trial = onPlatformThread();
        if (host.has(Host.Cap.SYS_PTRACE)) {
            return Finding.ok(name(), trial + "; " + yama + ", CAP_SYS_PTRACE: any process", required());
        }
        if (scope.orElse(0) == 0) {
            return Finding.ok(name(), trial + "; " + yama + ", no CAP_SYS_PTRACE: only processes of uid " + host.uid(),
                    required());
        }
        return Finding.missing(name(), trial + ", but " + yama + " without CAP_SYS_PTRACE allows tracing only "
                + "this process's descendants", PTRACE_PRIVILEGE, required());
    }

    /** Runs the trial on its own platform thread: the kernel ties a tracee to the tracer thread. */
    private static String onPlatformThread() throws Exception {
        FutureTask<String> task = new FutureTask<>(PtraceCheck::trial);
        Thread.ofPlatform().daemon().name("loupe-doctor-ptrace").start(task);
        try {
            return task.get(TRIAL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            // The thread's own waits are bounded: it still kills and reaps the child.
            throw new TimeoutException("the ptrace trial did not finish within " + TRIAL_TIMEOUT.toSeconds() + " s");
        }
    }

    private static String trial() throws Exception {
        Path sleep = SLEEP.stream().filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("no sleep binary in /bin or /usr/bin to trace"));
        try (Child child = Child.spawn(sleep.toString(), "30")) {
            int pid = child.pid();
            Ptrace.seize(pid);
            Ptrace.interrupt(pid);
            Optional<Ptrace.WaitStatus> status = Ptrace.waitFor(pid, STOP_TIMEOUT);
            if (status.isEmpty() || !status.get().stopped()) {
                throw new IllegalStateException("after PTRACE_INTERRUPT the child "
                        + status.map(s -> "reported " + s).orElse("did not stop within " + STOP_TIMEOUT.toSeconds() + " s"));
            }
            Ptrace.detach(pid);
            return "PTRACE_SEIZE, PTRACE_INTERRUPT, a stop and PTRACE_DETACH worked on a child process";
        }
    }
}
