package dev.loupe.app.cli;

import dev.loupe.testkit.Exec;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.Nobody;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code loupe snapshot} through the real CLI: one summary line when it works, one line saying why when it does not. */
class SnapshotCommandTest {
    private static final Duration READY = Duration.ofSeconds(120);
    private static final Pattern SUMMARY = Pattern.compile(
            "([\\d,]+) goroutines from 1 process, paused (\\d+ µs|\\d+\\.\\d ms|\\d+\\.\\d\\d s), written to (.+)");
    /** What the command prints on stderr while it works. */
    private static final Pattern PROGRESS = Pattern.compile("process \\d+: .*|pausing process \\d+ \\.\\.\\.|writing .*\\.db");

    private record Run(int status, String out, String err) {}

    private static Run loupe(String... args) {
        return loupe(new StringWriter(), args);
    }

    private static Run loupe(StringWriter err, String... args) {
        StringWriter out = new StringWriter();
        int status = LoupeCommand.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void aSnapshotOfAGoProcessIsOneSummaryLineAndAFileSqliteReads(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        Path db = dir.resolve("stacks.db");
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "100"), READY)) {
            Run r = loupe("snapshot", "--pid", Long.toString(t.pid()), "-o", db.toString());
            assertEquals(0, r.status(), r.err());
            List<String> out = r.out().lines().toList();
            assertEquals(1, out.size(), "one summary line on stdout:\n" + r.out());
            Matcher m = SUMMARY.matcher(out.getFirst());
            assertTrue(m.matches(), out.getFirst());
            long goroutines = Long.parseLong(m.group(1).replace(",", ""));
            assertTrue(goroutines >= 100, out.getFirst());
            assertEquals(db.toAbsolutePath().toString(), m.group(3));
            assertTrue(r.err().contains("pausing process " + t.pid()), "progress on stderr:\n" + r.err());
            assertTrue(r.err().lines().allMatch(l -> PROGRESS.matcher(l).matches()), "only progress on stderr:\n" + r.err());
            String count = Exec.run(Exec.cmd("sqlite3", db.toString(), "select count(*) from goroutines")).strip();
            assertEquals(goroutines, Long.parseLong(count), "goroutine rows as the sqlite3 shell counts them");
            assertOnly(dir, db);

            // The same name again: refused, and the snapshot already there is left as it was.
            byte[] before = Files.readAllBytes(db);
            Run again = loupe("snapshot", "--pid", Long.toString(t.pid()), "-o", db.toString());
            assertOneErrorLine(again, 1, db + " already exists");
            assertArrayEquals(before, Files.readAllBytes(db), "the existing snapshot is untouched");
            assertOnly(dir, db);
        }
    }

    @Test
    void anExistingFileIsNeitherOverwrittenNorTouched(@TempDir Path dir) throws Exception {
        Path precious = Files.writeString(dir.resolve("precious.db"), "not a snapshot, and not Loupe's to replace\n");
        long modified = Files.getLastModifiedTime(precious).toMillis();
        Run r = loupe("snapshot", "--pid", Long.toString(ProcessHandle.current().pid()), "-o", precious.toString());
        assertOneErrorLine(r, 1, precious + " already exists");
        assertEquals("not a snapshot, and not Loupe's to replace\n", Files.readString(precious));
        assertEquals(modified, Files.getLastModifiedTime(precious).toMillis());
        assertOnly(dir, precious);
    }

    @Test
    void aPidThatCannotExistIsOneLine(@TempDir Path dir) throws Exception {
        long pidMax;
        // One read from offset 0: a sysctl integer read in pieces (as Files.readString does) yields its first digit only.
        try (var in = Files.newInputStream(Path.of("/proc/sys/kernel/pid_max"))) {
            pidMax = Long.parseLong(new String(in.readNBytes(64), java.nio.charset.StandardCharsets.US_ASCII).strip());
        }
        String pid = Long.toString(pidMax + 1);
        Run r = loupe("snapshot", "--pid", pid, "-o", dir.resolve("x.db").toString());
        assertOneErrorLine(r, 1, pid);
        assertTrue(r.err().contains("no process " + pid) || r.err().contains("does not exist"), r.err());
        assertOnly(dir);
    }

    @Test
    void aProcessThatHasExitedIsOneLine(@TempDir Path dir) throws Exception {
        long pid;
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "10"), READY)) {
            pid = t.pid();
        }
        assertFalse(Files.exists(Path.of("/proc", Long.toString(pid))), "the target is gone");
        Run r = loupe("snapshot", "--pid", Long.toString(pid), "-o", dir.resolve("x.db").toString());
        assertOneErrorLine(r, 1, Long.toString(pid));
        assertTrue(r.err().contains("no process " + pid) || r.err().contains("does not exist") || r.err().contains("exited"), r.err());
        assertOnly(dir);
    }

    /** The target dies once the snapshot has read its binary and generated the program, before the agent runs it. */
    @Test
    void aProcessThatExitsDuringTheSnapshotIsOneLine(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "100"), READY)) {
            String pid = Long.toString(t.pid());
            StringWriter err = new StringWriter() {
                private boolean killed;

                @Override
                public void flush() {
                    super.flush();
                    if (!killed && toString().contains("pausing process " + pid)) {
                        killed = true;
                        t.signal("KILL");
                        awaitGone(Path.of("/proc", pid));
                    }
                }
            };
            Run r = loupe(err, "snapshot", "--pid", pid, "-o", dir.resolve("x.db").toString());
            assertTrue(r.err().contains("pausing process " + pid), "the kill happened:\n" + r.err());
            assertOneErrorLine(r, 1, pid);
            assertTrue(r.err().contains("does not exist") || r.err().contains("exited"), r.err());
            assertOnly(dir);
        }
    }

    /**
     * The target is SIGKILLed as the pause begins (once its main thread is seen traced): each time one line saying
     * the process exited, and no file. Never a complaint about permission: EPERM from PTRACE_SEIZE on a thread that
     * is already exiting is not one. The pause is short and its threads run at real-time priority, so the watching
     * thread may miss it: such a round must then have written a whole snapshot; five rounds must land.
     */
    @Test
    void aProcessKilledAsItIsPausedIsOneLine(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        int landed = 0;
        for (int round = 0; round < 30 && landed < 5; round++) {
            try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "5000"), READY)) {
                String pid = Long.toString(t.pid());
                Path status = Path.of("/proc", pid, "task", pid, "status");
                AtomicBoolean done = new AtomicBoolean();
                AtomicBoolean killed = new AtomicBoolean();
                Thread killer = Thread.ofPlatform().name("target-killer").start(() -> {
                    while (!done.get()) {
                        try {
                            if (!Files.readString(status).contains("\nTracerPid:\t0\n")) {
                                killed.set(ProcessHandle.of(t.pid()).map(ProcessHandle::destroyForcibly).orElse(false));
                                return;
                            }
                        } catch (IOException gone) {
                            return;
                        }
                        LockSupport.parkNanos(10_000);
                    }
                });
                Run r;
                try {
                    r = loupe("snapshot", "--pid", pid, "-o", dir.resolve("x.db").toString(), "--pause-budget", "5000");
                } finally {
                    done.set(true);
                    killer.join();
                }
                if (!killed.get()) {
                    assertEquals(0, r.status(), "the kill missed the pause, so the snapshot is whole:\n" + r.err());
                    Files.delete(dir.resolve("x.db"));
                    continue;
                }
                landed++;
                assertOneErrorLine(r, 1, pid);
                assertTrue(r.err().contains("exited") || r.err().contains("does not exist"), "round " + round + ": " + r.err());
                assertOnly(dir);
            }
        }
        assertEquals(5, landed, "kills that landed in the pause");
    }

    @Test
    void aProcessThatIsNotGoIsOneLine(@TempDir Path dir) throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            String pid = Long.toString(sleep.pid());
            Run r = loupe("snapshot", "--pid", pid, "-o", dir.resolve("x.db").toString());
            assertOneErrorLine(r, 1, pid);
            assertTrue(r.err().contains("not a Go program"), r.err());
            assertTrue(sleep.isAlive(), "the process is left alone");
            assertOnly(dir);
        } finally {
            sleep.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** As user nobody, a root-owned target: one line that says it is about permission and what to do. */
    @Test
    void withoutPermissionItSaysWhatToDo(@TempDir Path dir) {
        Gate.requireRoot();
        Path out = Path.of("/tmp", "loupe-snapshot-nobody-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".db");
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "10"), READY)) {
            Nobody.Result r = Nobody.java(dir, "dev.loupe.app.Main", "snapshot", "--pid", Long.toString(t.pid()), "-o", out.toString());
            String output = r.output();
            assertEquals(1, r.status(), output);
            assertEquals(1, output.lines().count(), "one line:\n" + output);
            assertTrue(output.startsWith("loupe snapshot: "), output);
            assertTrue(output.toLowerCase().contains("permission"), output);
            assertTrue(output.contains("run as root") || output.contains("CAP_"), "says what to do: " + output);
            assertFalse(output.contains("Exception") || output.contains("\tat "), "no stack trace:\n" + output);
            assertTrue(t.isAlive());
        } finally {
            assertFalse(Files.exists(out), out + " left");
            assertFalse(Files.exists(Path.of(out + ".partial")), out + ".partial left");
        }
    }

    @Test
    void badOptionsAreUsageErrors(@TempDir Path dir) throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        String db = dir.resolve("x.db").toString();
        List<List<String>> cases = List.of(
                List.of("--pid", pid, "-o", db, "--pause-budget", "0"),
                List.of("--pid", pid, "-o", db, "--pause-budget", "-5"),
                List.of("--pid", pid, "-o", db, "--max-depth", "0"),
                List.of("--pid", pid, "-o", db, "--max-depth", "5000"),
                List.of("--pid", pid, "-o", db, "--ring-buffer-mib", "3"),
                List.of("--pid", "abc", "-o", db),
                List.of("--pid", pid),
                List.of("--pid", pid, "-o", db, "--addresses"));
        for (List<String> args : cases) {
            List<String> argv = new java.util.ArrayList<>(List.of("snapshot"));
            argv.addAll(args);
            Run r = loupe(argv.toArray(String[]::new));
            assertOneErrorLine(r, 2, "");
            assertTrue(r.err().contains("(see 'loupe snapshot --help')"), r.err());
            assertOnly(dir);
        }
        assertTrue(loupe("snapshot", "--pid", pid, "-o", db, "--pause-budget", "0").err().contains("--pause-budget"));
        assertTrue(loupe("snapshot", "--pid", pid, "-o", db, "--max-depth", "0").err().contains("--max-depth"));
        assertTrue(loupe("snapshot", "--pid", pid, "-o", db, "--addresses").err().contains("--addresses needs --spec"));
    }

    /**
     * Exit {@code status}, nothing on stdout, and on stderr exactly one line {@code loupe snapshot: ...} containing
     * {@code text}; any other stderr line is progress, and nothing looks like a stack trace.
     */
    private static void assertOneErrorLine(Run r, int status, String text) {
        String all = "stdout:\n" + r.out() + "stderr:\n" + r.err();
        assertEquals(status, r.status(), all);
        assertEquals("", r.out(), all);
        List<String> errors = r.err().lines().filter(l -> !PROGRESS.matcher(l).matches()).toList();
        assertEquals(1, errors.size(), "one error line:\n" + all);
        assertTrue(errors.getFirst().startsWith("loupe snapshot: "), all);
        assertTrue(errors.getFirst().contains(text), "'" + text + "' in " + errors.getFirst());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace:\n" + all);
    }

    /** {@code dir} holds exactly {@code files}: no snapshot file, nor any {@code .partial}, was left. */
    private static void assertOnly(Path dir, Path... files) throws Exception {
        try (Stream<Path> listed = Files.list(dir)) {
            assertEquals(Stream.of(files).map(Path::getFileName).sorted().toList(),
                    listed.map(Path::getFileName).sorted().toList(), "files in " + dir);
        }
    }

    private static void awaitGone(Path proc) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(proc)) {
            assertTrue(System.nanoTime() < deadline, proc + " still there 10 s after SIGKILL");
            try {
                TimeUnit.MILLISECONDS.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
