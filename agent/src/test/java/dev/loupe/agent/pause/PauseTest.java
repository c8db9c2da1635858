package dev.loupe.agent.pause;

import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.GoTarget;
import dev.loupe.testkit.GoTargetExtension;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(GoTargetExtension.class)
class PauseTest {
    private static final Duration READY = Duration.ofSeconds(60);

    @BeforeEach
    void needsPtrace() {
        Gate.requireRoot();
    }

    @Test
    void stopsEveryThreadAndResumesThem(@TempDir Path dir) {
        Path oracle = dir.resolve("stacks.txt");
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"),
                List.of("-n", "1000", "-oracle", oracle.toString()), READY)) {
            int pid = (int) t.pid();
            ProcessPause pause = stop(pid, Duration.ofSeconds(5));
            Map<Integer, Character> states = threadStates(pid);
            assertTrue(states.values().stream().allMatch(s -> s == 't'), "every thread in tracing stop: " + states);
            assertEquals(states.size(), pause.stoppedThreads(), "threads stopped: " + states);
            long pausedNs = resume(pause);
            assertTrue(pausedNs > 0 && pausedNs >= pause.stopNanos(), "paused " + pausedNs + " ns");
            assertTrue(threadStates(pid).values().stream().noneMatch(s -> s == 't'), "no thread left stopped");
            t.signal("USR1");
            assertEquals("oracle " + oracle, t.awaitLine(l -> l.startsWith("oracle "), READY), "the target serves after the pause");
        }
    }

    @Test
    void aPauseOverItsBudgetEndsByItself(@GoTarget(value = "stacks", args = {"-n", "100"}) RunningTarget t) throws Exception {
        int pid = (int) t.pid();
        ProcessPause pause = stop(pid, Duration.ofMillis(300));
        awaitNoThreadStopped(pid, Duration.ofSeconds(10));
        PauseException e = assertThrows(PauseException.class, pause::resume);
        assertTrue(e.getMessage().contains("ran over its budget of 300 ms"), e.getMessage());
    }

    @Test
    void aMissingProcessIsOneClearMessage() {
        PauseException e = assertThrows(PauseException.class, () -> ProcessPause.stop(Integer.MAX_VALUE - 1, Duration.ofSeconds(1)));
        assertEquals("process " + (Integer.MAX_VALUE - 1) + " does not exist (or has exited)", e.getMessage());
    }

    /** The tracer is SIGKILLed at random instants; each time, the kernel must resume the target by itself. */
    @Test
    void aKilledTracerNeverLeavesTheTargetStopped(@GoTarget(value = "stacks", args = {"-n", "1000"}) RunningTarget t) throws Exception {
        int pid = (int) t.pid();
        Random random = new Random(42);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        for (int round = 0; round < 25; round++) {
            Process tracer = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), PauseLoop.class.getName(), Integer.toString(pid))
                    .redirectErrorStream(true).start();
            try {
                var out = tracer.inputReader();
                String first = out.readLine();
                assertEquals("paused", first, "the pause loop started");
                TimeUnit.MICROSECONDS.sleep(random.nextInt(20_000));
            } finally {
                tracer.destroyForcibly();
                assertTrue(tracer.waitFor(30, TimeUnit.SECONDS), "the killed tracer exited");
            }
            awaitNoThreadStopped(pid, Duration.ofSeconds(5));
            assertTrue(t.isAlive(), "target alive after round " + round);
        }
    }

    private static ProcessPause stop(int pid, Duration budget) {
        try {
            return ProcessPause.stop(pid, budget);
        } catch (PauseException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static long resume(ProcessPause p) {
        try {
            return p.resume();
        } catch (PauseException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static void awaitNoThreadStopped(int pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, Character> states = threadStates(pid);
        while (states.containsValue('t')) {
            assertTrue(System.nanoTime() < deadline, "threads still stopped after " + timeout + ": " + states);
            TimeUnit.MILLISECONDS.sleep(1);
            states = threadStates(pid);
        }
    }

    /** Each thread's state letter from /proc/PID/task/TID/stat ('t' is tracing stop). */
    static Map<Integer, Character> threadStates(int pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Integer.toString(pid), "task"))) {
            return tasks.collect(Collectors.toMap(p -> Integer.parseInt(p.getFileName().toString()), PauseTest::state));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static char state(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (NoSuchFileException e) {
            return 'X';
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
