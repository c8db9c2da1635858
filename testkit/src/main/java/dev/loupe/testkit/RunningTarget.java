package dev.loupe.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Go target process started by a test. Its stdout is read line by line (targets
 * announce their state with lines such as {@code ready}); stderr is kept for error
 * messages. {@link #close()} always terminates and reaps it, and a shutdown hook
 * does the same for any target a test forgot, so no process outlives the test JVM.
 *
 * <p>The target runs under a {@code /bin/sh} parent rather than as a child of the test
 * JVM: a process's parent is told of its ptrace stops, and the JVM's process reaper
 * would take the stop of a paused target for its exit. Production targets are never
 * the agent's children, and with the shell between them, test targets are not either.
 */
public final class RunningTarget implements AutoCloseable {
    private static final Set<RunningTarget> live = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(live).forEach(RunningTarget::close)));
    }

    /** Starts "$0" with "$@" in the background, says its pid, and lives exactly as long as it. */
    private static final String SHELL_PARENT = "\"$0\" \"$@\" & echo \"pid $!\"; wait $!";

    private final Path binary;
    private final Process process;
    private long pid;
    private final List<String> stdout = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private boolean stdoutClosed;
    private int consumed;

    private RunningTarget(Path binary, Process process) {
        this.binary = binary;
        this.process = process;
        Thread.ofPlatform().daemon().name("target-stdout-" + binary.getFileName()).start(() -> pump(true));
        Thread.ofPlatform().daemon().name("target-stderr-" + binary.getFileName()).start(() -> pump(false));
    }

    /** Starts {@code binary} with {@code args}; call {@link #awaitLine} to wait for its state. */
    public static RunningTarget start(Path binary, List<String> args) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", SHELL_PARENT, binary.toString()));
        argv.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
            p.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
        }
        RunningTarget t = new RunningTarget(binary, p);
        live.add(t);
        try {
            t.pid = Long.parseLong(t.awaitLine(l -> l.startsWith("pid "), Duration.ofSeconds(30)).substring(4));
        } catch (RuntimeException | Error e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** Builds the target if needed, starts it and waits for its {@code ready} line. */
    public static RunningTarget startReady(GoBuild build, List<String> args, Duration timeout) {
        RunningTarget t = start(GoTargets.build(build), args);
        try {
            t.awaitLine("ready"::equals, timeout);
        } catch (RuntimeException | Error e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** The target's own pid (not its shell parent's). */
    public long pid() {
        return pid;
    }

    public Path binary() {
        return binary;
    }

    /** True while the target runs (its shell parent lives exactly as long). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The process's stdout lines so far. */
    public synchronized List<String> stdoutLines() {
        return List.copyOf(stdout);
    }

    /** Sends a signal by name, e.g. "USR1". */
    public void signal(String name) {
        Exec.run(Exec.cmd("kill", "-s", name, Long.toString(pid())));
    }

    /**
     * Waits for a stdout line matching {@code match} that was printed after the last
     * one this method returned (or since start); fails if the process dies or the time runs out.
     */
    public String awaitLine(Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                for (int i = consumed; i < stdout.size(); i++) {
                    if (match.test(stdout.get(i))) {
                        consumed = i + 1;
                        return stdout.get(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (stdoutClosed || left <= 0) {
                    String why = stdoutClosed ? "exited" + exitText() : "did not print the awaited line within " + timeout;
                    throw new AssertionError(binary.getFileName() + " (pid " + pid() + ") " + why
                            + "\nstdout: " + stdout + "\nstderr: " + tail(stderr));
                }
                try {
                    wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /**
     * Terminates the target (SIGTERM, then SIGKILL after 5 s); its shell parent reaps it and
     * exits, and this waits for that.
     */
    @Override
    public void close() {
        try {
            if (process.isAlive() && pid > 0) {
                kill("TERM");
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    kill("KILL");
                    process.waitFor(30, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process.destroyForcibly();
            live.remove(this);
        }
        if (pid > 0 && java.nio.file.Files.exists(Path.of("/proc", Long.toString(pid)))) {
            throw new IllegalStateException(binary.getFileName() + " (pid " + pid + ") survived SIGKILL");
        }
    }

    /** Signals the target; it may already be gone, which is what close() wants anyway. */
    private void kill(String signal) {
        try {
            signal(signal);
        } catch (IllegalStateException alreadyGone) {
            // kill(1) found no such process.
        }
    }

    private String exitText() {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? " with status " + process.exitValue() : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private void pump(boolean isStdout) {
        var in = isStdout ? process.getInputStream() : process.getErrorStream();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    if (isStdout) {
                        stdout.add(line);
                    } else if (stderr.length() < 1 << 20) {
                        stderr.append(line).append('\n');
                    }
                    notifyAll();
                }
            }
        } catch (IOException ignored) {
            // The stream closes when the process dies; that is reported by awaitLine.
        } finally {
            if (isStdout) {
                synchronized (this) {
                    stdoutClosed = true;
                    notifyAll();
                }
            }
        }
    }

    private static String tail(CharSequence s) {
        return s.length() <= 4000 ? s.toString() : "..." + s.subSequence(s.length() - 4000, s.length());
    }

    @Override
    public String toString() {
        return binary.getFileName() + "[pid " + pid() + "]";
    }
}
