package dev.loupe.app.capture;

import dev.loupe.agent.LocalAgent;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The first rule of the snapshot engine, "never leave a target stopped", held against a snapshotter that dies at any
 * instant, and a thousand snapshots that must leave no kernel object, file descriptor or thread behind.
 */
class SnapshotSafetyTest {
    private static final Duration READY = Duration.ofSeconds(120);
    private static final int ROUNDS = 100;
    private static final Pattern DONE = Pattern.compile("done (\\d+) (\\d+) (\\d+) (\\d+)");

    /**
     * A JVM that snapshots the target in a loop ({@link SnapshotSafetyLoop}) is SIGKILLed 100 times at a random
     * instant: a third of the kills anywhere from its start, a third anywhere in its first snapshot, and a third
     * inside the pause itself (within the first third of a typical pause after the target's main thread is seen in
     * tracing stop). After each kill every thread of the target runs untraced again, the target answers SIGUSR1, and
     * every snapshot file in place is complete.
     */
    @Test
    void aKilledSnapshotterNeverLeavesTheTargetStopped(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        Path oracle = dir.resolve("stacks.txt");
        // 5,000 goroutines: a pause of several ms, which the kills aimed at it can hit.
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"),
                List.of("-n", "5000", "-oracle", oracle.toString()), READY)) {
            int pid = (int) t.pid();
            // One loop run to the end: how long a fresh JVM takes to reach its first pause, and that pause's length.
            Path warmDir = Files.createDirectory(dir.resolve("warm-up"));
            Loop warm = Loop.start(pid, warmDir, 1);
            assertTrue(warm.process.waitFor(60, TimeUnit.SECONDS), "the warm-up loop finished");
            warm.reader.join();
            Matcher first = warm.first(DONE).orElseThrow(() -> new AssertionError("the warm-up snapshot: " + warm.lines()));
            long snapshotUs = Long.parseLong(first.group(3));
            long pauseUs = Long.parseLong(first.group(4));
            long startToPausingUs = warm.micros("pausing 0");
            System.out.printf("fresh JVM: 'pausing' after %d ms, first snapshot %d ms, paused %d µs%n",
                    startToPausingUs / 1000, snapshotUs / 1000, pauseUs);
            assertOnlyCompleteSnapshots(warmDir, warm);

            Random random = new Random(20240601);
            int[] stoppedAtKill = new int[3];
            int[] tracedAtKill = new int[3];
            int[] snapshotsDone = new int[3];
            int partials = 0;
            List<String> failures = new ArrayList<>();
            long start = System.nanoTime();
            for (int round = 0; round < ROUNDS; round++) {
                Path roundDir = Files.createDirectory(dir.resolve("round-" + round));
                int mode = round % 3;
                Loop loop = Loop.start(pid, roundDir, Long.MAX_VALUE);
                try {
                    switch (mode) {
                        case 0 -> sleepMicros(random.nextLong(startToPausingUs + snapshotUs));
                        case 1 -> {
                            loop.await("pausing 0");
                            sleepMicros(random.nextLong(snapshotUs));
                        }
                        default -> {
                            loop.await("pausing 0");
                            awaitMainThreadStopped(pid, loop);
                            sleepMicros(random.nextLong(Math.max(1, pauseUs / 3)));
                        }
                    }
                    Map<Integer, ThreadState> atKill = threads(pid);
                    if (atKill.values().stream().anyMatch(s -> s.state == 't')) {
                        stoppedAtKill[mode]++;
                    }
                    if (atKill.values().stream().anyMatch(s -> s.tracerPid != 0)) {
                        tracedAtKill[mode]++;
                    }
                } finally {
                    loop.process.destroyForcibly();
                    assertTrue(loop.process.waitFor(30, TimeUnit.SECONDS), "the killed snapshotter exited");
                }
                awaitRunningUntraced(pid, Duration.ofSeconds(1), "round " + round);
                t.signal("USR1");
                assertEquals("oracle " + oracle, t.awaitLine(l -> l.startsWith("oracle "), Duration.ofSeconds(10)),
                        "the target serves after round " + round);
                loop.reader.join(5_000);
                snapshotsDone[mode] += (int) loop.lines().stream().filter(l -> DONE.matcher(l).matches()).count();
                String which = "round " + round + ": ";
                loop.lines().stream().filter(l -> l.startsWith("failed ")).forEach(l -> failures.add(which + l));
                partials += assertOnlyCompleteSnapshots(roundDir, loop);
            }
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("%d kills in %d ms (from start / in the first snapshot / in the pause):"
                            + " target in tracing stop at the kill %d/%d/%d, traced at the kill %d/%d/%d,"
                            + " snapshots completed before the kill %d/%d/%d, partial files left %d%n",
                    ROUNDS, tookMs, stoppedAtKill[0], stoppedAtKill[1], stoppedAtKill[2], tracedAtKill[0], tracedAtKill[1],
                    tracedAtKill[2], snapshotsDone[0], snapshotsDone[1], snapshotsDone[2], partials);
            assertTrue(failures.isEmpty(), "snapshots failed: " + failures);
            assertTrue(stoppedAtKill[2] >= ROUNDS / 3 / 4, "at least a quarter of the kills aimed at the pause landed in it: "
                    + stoppedAtKill[2] + " of " + (ROUNDS / 3));
        }
    }

    /**
     * A thousand snapshots in this JVM leave nothing behind: no file descriptor (BPF maps, programs, links and
     * iterators among them), no mapping of a ring buffer, no Loupe thread, and nothing in the target either.
     */
    @Test
    void aThousandSnapshotsLeakNothing(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        int snapshots = Integer.getInteger("loupe.leakTest.snapshots", 1_000);
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "10"), READY)) {
            int pid = (int) t.pid();
            Snapshotter.Options options = new Snapshotter.Options(SnapshotProgram.DEFAULT_MAX_DEPTH, 1 << 20, Duration.ofSeconds(1));
            Snapshotter snapshotter = new Snapshotter(new LocalAgent(), options, line -> {});
            // Warm up: class loading, the SQLite driver's native library, the JDK's lazily opened files.
            for (int i = 0; i < 10; i++) {
                snapshot(snapshotter, pid, dir.resolve("warm-" + i + ".db"));
            }
            Map<String, Integer> fdsBefore = fdKinds(Path.of("/proc/self"));
            List<String> bpfMappingsBefore = bpfMappings();
            Map<String, Integer> targetFdsBefore = fdKinds(Path.of("/proc", Integer.toString(pid)));
            int targetThreadsBefore = threads(pid).size();

            long start = System.nanoTime();
            long maxPauseNs = 0;
            for (int i = 0; i < snapshots; i++) {
                Snapshotter.Result r = snapshot(snapshotter, pid, dir.resolve("s-" + i + ".db"));
                maxPauseNs = Math.max(maxPauseNs, r.processes().getFirst().pauseNs());
            }
            long tookNs = System.nanoTime() - start;
            System.out.printf("%d snapshots of stacks -n 10 in %d ms (%.1f ms each), longest pause %d µs%n",
                    snapshots, tookNs / 1_000_000, tookNs / 1e6 / snapshots, maxPauseNs / 1000);

            Map<String, Integer> fdsAfter = fdKinds(Path.of("/proc/self"));
            for (String kind : fdsAfter.keySet()) {
                if (kind.contains("bpf")) {
                    assertEquals(fdsBefore.getOrDefault(kind, 0), fdsAfter.get(kind), kind + " fds before and after " + snapshots
                            + " snapshots: " + fdsBefore + " then " + fdsAfter);
                }
            }
            int before = fdsBefore.values().stream().mapToInt(Integer::intValue).sum();
            int after = fdsAfter.values().stream().mapToInt(Integer::intValue).sum();
            assertTrue(after <= before, "open fds grew from " + before + " to " + after + ": " + fdsBefore + " then " + fdsAfter);
            assertEquals(bpfMappingsBefore, bpfMappings(), "BPF maps mapped into this JVM (ring buffers)");
            List<String> loupeThreads = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.startsWith("loupe-")).toList();
            assertEquals(List.of(), loupeThreads, "threads left over by the snapshots");
            assertEquals(targetFdsBefore, fdKinds(Path.of("/proc", Integer.toString(pid))), "the target's fds");
            assertEquals(targetThreadsBefore, threads(pid).size(), "the target's threads");
            awaitRunningUntraced(pid, Duration.ofSeconds(1), "after " + snapshots + " snapshots");
            try (Stream<Path> left = Files.list(dir)) {
                assertEquals(List.of(), left.toList(), "files left in the output directory");
            }
        }
    }

    private static Snapshotter.Result snapshot(Snapshotter snapshotter, int pid, Path file) throws Exception {
        Snapshotter.Result r = snapshotter.take(List.of(pid), file);
        assertTrue(r.goroutines() >= 10, r::toString);
        Files.delete(file);
        return r;
    }

    /**
     * Every {@code snapshot-N.db} in {@code dir} is complete (one process row whose goroutine count matches its
     * goroutine rows), every snapshot the loop reported done is there, and nothing but those and
     * {@code .partial} files is. Returns the number of partial files.
     */
    private static int assertOnlyCompleteSnapshots(Path dir, Loop loop) throws Exception {
        List<Long> done = loop.lines().stream().map(DONE::matcher).filter(Matcher::matches).map(m -> Long.parseLong(m.group(1))).toList();
        for (long n : done) {
            assertTrue(Files.exists(dir.resolve("snapshot-" + n + ".db")), "snapshot " + n + " was reported done: " + loop.lines());
        }
        int partials = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.matches("snapshot-\\d+\\.db\\.partial")) {
                    partials++;
                    continue;
                }
                assertTrue(name.matches("snapshot-\\d+\\.db"), "unexpected file " + f);
                try (Connection db = DriverManager.getConnection("jdbc:sqlite:file:" + f + "?mode=ro");
                     Statement s = db.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*), min(goroutine_count),"
                             + " (SELECT count(*) FROM goroutines) FROM processes")) {
                    assertTrue(rs.next(), f.toString());
                    assertEquals(1, rs.getInt(1), "process rows of " + f);
                    assertEquals(rs.getLong(3), rs.getLong(2), "goroutine_count against goroutine rows of " + f);
                    assertTrue(rs.getLong(3) >= 1000, "goroutines in " + f + ": " + rs.getLong(3));
                }
            }
        }
        return partials;
    }

    /** Polls until the main thread of {@code pid} is in tracing stop (or the loop has passed its first pause). */
    private static void awaitMainThreadStopped(int pid, Loop loop) {
        Path stat = Path.of("/proc", Integer.toString(pid), "task", Integer.toString(pid), "stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && loop.process.isAlive()) {
            try {
                String s = Files.readString(stat);
                if (s.charAt(s.lastIndexOf(')') + 2) == 't' || loop.lines().stream().anyMatch(l -> !l.startsWith("pausing"))) {
                    return;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LockSupport.parkNanos(20_000);
        }
    }

    private record ThreadState(char state, int tracerPid) {}

    /** Waits until no thread of {@code pid} is stopped ('t' or 'T') or traced. */
    private static void awaitRunningUntraced(int pid, Duration grace, String when) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        while (true) {
            Map<Integer, ThreadState> threads = threads(pid);
            assertTrue(!threads.isEmpty(), "the target is alive " + when);
            if (threads.values().stream().allMatch(s -> s.state != 't' && s.state != 'T' && s.tracerPid == 0)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("threads of the target still stopped or traced " + grace.toMillis() + " ms " + when + ": " + threads);
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    /** State letter and TracerPid of each thread, from /proc/PID/task/TID/status. */
    private static Map<Integer, ThreadState> threads(int pid) {
        Map<Integer, ThreadState> threads = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Integer.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                char state = '?';
                int tracer = -1;
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("State:")) {
                            state = line.substring(6).strip().charAt(0);
                        } else if (line.startsWith("TracerPid:")) {
                            tracer = Integer.parseInt(line.substring(10).strip());
                        }
                    }
                } catch (NoSuchFileException exited) {
                    continue;
                }
                threads.put(Integer.parseInt(task.getFileName().toString()), new ThreadState(state, tracer));
            }
        } catch (NoSuchFileException gone) {
            return threads;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return threads;
    }

    /** Open fds of a process by what they point at, with BPF objects by kind ("anon_inode:bpf-map" ...). */
    private static Map<String, Integer> fdKinds(Path proc) throws IOException {
        Map<String, Integer> kinds = new TreeMap<>();
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (NoSuchFileException closedMeanwhile) {
                    continue;
                }
                String kind = target.startsWith("anon_inode:") ? target
                        : target.startsWith("/") ? "file" : target.replaceFirst(":.*", "");
                kinds.merge(kind, 1, Integer::sum);
            }
        }
        return kinds;
    }

    /** Lines of /proc/self/maps that map a BPF object (a ring buffer's pages). */
    private static List<String> bpfMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("bpf")).toList();
    }

    private static void sleepMicros(long micros) {
        LockSupport.parkNanos(micros * 1_000);
    }

    /** A running {@link SnapshotSafetyLoop} JVM and the lines it printed, each with when it was read. */
    private static final class Loop {
        final Process process;
        final Thread reader;
        final long startNs = System.nanoTime();
        private final List<String> lines = new ArrayList<>();
        private final List<Long> times = new ArrayList<>();
        private boolean ended;

        private Loop(Process process) {
            this.process = process;
            this.reader = Thread.ofPlatform().daemon().name("snapshot-loop-stdout").start(this::read);
        }

        static Loop start(int pid, Path dir, long count) throws IOException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), SnapshotSafetyLoop.class.getName(),
                    Integer.toString(pid), dir.toString(), Long.toString(count))
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            return new Loop(p);
        }

        private void read() {
            try (BufferedReader r = process.inputReader()) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (this) {
                        lines.add(line);
                        times.add(System.nanoTime());
                        notifyAll();
                    }
                }
            } catch (IOException killed) {
                // The loop was killed; what it printed so far is kept.
            } finally {
                synchronized (this) {
                    ended = true;
                    notifyAll();
                }
            }
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }

        synchronized Optional<Matcher> first(Pattern p) {
            return lines.stream().map(p::matcher).filter(Matcher::matches).findFirst();
        }

        /** Microseconds from the start to the line {@code line}. */
        synchronized long micros(String line) {
            int i = lines.indexOf(line);
            assertTrue(i >= 0, line + " in " + lines);
            return (times.get(i) - startNs) / 1_000;
        }

        synchronized void await(String line) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!lines.contains(line)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || ended) {
                    fail("the snapshot loop did not print '" + line + "': " + lines);
                }
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }
}
