package dev.loupe.app.capture;

import dev.loupe.agent.LocalAgent;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Goroutines a signal interrupted at an instruction that is not a call ({@code targets/signals}), where neither
 * the thread's registers nor frame pointers tell where they are. The runtime's preemption (SIGURG) puts busy
 * goroutines in these states many times a second: about one snapshot in fifty of {@code targets/stacks} caught its
 * busy goroutine in one of them before the program and the decoder knew them.
 */
class InterruptedStackTest {
    private static final GoBuild SIGNALS = GoBuild.target("signals").withEnv("CGO_ENABLED=1");

    /**
     * A running goroutine whose thread is stopped inside a signal handler: its stack is unwound from the registers
     * the signal interrupted, which the program finds in the signal frame on the thread's alternate signal stack.
     * The thread's own registers are the handler's, and {@code g.sched} is stale while a goroutine runs.
     */
    @Test
    void aGoroutineStoppedInASignalHandlerHasItsWholeStack(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        try (RunningTarget t = RunningTarget.startReady(SIGNALS, List.of(), Duration.ofSeconds(120))) {
            String[] held = t.stdoutLines().stream().filter(l -> l.startsWith("held ")).findFirst().orElseThrow().split(" ");
            Map<Long, Goroutine> snapshot = snapshot(t, dir);
            List<Goroutine> onThread = snapshot.values().stream().filter(g -> g.threadId() == Long.parseLong(held[1])).toList();
            assertEquals(1, onThread.size(), "goroutines on thread " + held[1] + ": " + snapshot.values());
            List<String> expected = new ArrayList<>(List.of("main.busyLoop", "main.busyOuter", "main.main.gowrap1"));
            if (held[2].equals("main.spinStep")) {
                expected.addFirst("main.spinStep");
            }
            assertEquals("running", onThread.getFirst().status());
            assertEquals(expected, onThread.getFirst().frames(), "the stack of the goroutine interrupted in " + held[2]);
        }
    }

    /**
     * Goroutines preempted asynchronously in a leaf that never pushes a frame pointer: the frame-pointer chain from
     * {@code runtime.asyncPreempt} skips the leaf's caller, which the decoder finds with the pcsp table in the
     * stack the program sends from {@code g.sched.sp}, and the leaf's pc is where it was interrupted.
     */
    @Test
    void aGoroutinePreemptedInAFramelessLeafHasItsCaller(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        try (RunningTarget t = RunningTarget.startReady(SIGNALS, List.of("-preempt"), Duration.ofSeconds(120))) {
            List<Goroutine> spinning = snapshot(t, dir).values().stream()
                    .filter(g -> g.frames().contains("main.spinLeaf")).toList();
            assertEquals(2, spinning.size(), "goroutines in main.spinLeaf: " + spinning);
            assertTrue(spinning.stream().anyMatch(g -> g.status().equals("runnable")), "one was preempted: " + spinning);
            for (Goroutine g : spinning) {
                List<String> frames = g.frames();
                List<String> own = frames.subList(frames.indexOf("main.spinLeaf"), frames.size());
                assertEquals(List.of("main.spinLeaf", "main.leafOuter", "main.preempted.gowrap1"), own, g.toString());
                if (g.status().equals("runnable")) {
                    assertEquals(List.of("runtime.asyncPreempt2", "runtime.asyncPreempt"), frames.subList(0, 2), g.toString());
                }
            }
        }
    }

    private record Goroutine(long goid, String status, long threadId, List<String> frames) {}

    private static Map<Long, Goroutine> snapshot(RunningTarget t, Path dir) throws Exception {
        Path db = dir.resolve("signals.db");
        new Snapshotter(new LocalAgent(), Snapshotter.Options.DEFAULT, line -> {}).take(List.of((int) t.pid()), db);
        Map<Long, Goroutine> out = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT g.goid, g.status, coalesce(g.thread_id, 0), f.function FROM goroutines g"
                     + " JOIN goroutine_frames f ON f.process_id = g.process_id AND f.goid = g.goid ORDER BY g.goid, f.depth")) {
            while (r.next()) {
                Goroutine g = out.get(r.getLong(1));
                if (g == null) {
                    g = new Goroutine(r.getLong(1), r.getString(2), r.getLong(3), new ArrayList<>());
                    out.put(g.goid(), g);
                }
                g.frames().add(r.getString(4));
            }
        }
        return out;
    }
}
