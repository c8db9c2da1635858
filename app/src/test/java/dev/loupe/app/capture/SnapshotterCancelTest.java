package dev.loupe.app.capture;

import dev.loupe.agent.LocalAgent;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A snapshot cancelled at each of its steps writes nothing, and leaves the process running. */
class SnapshotterCancelTest {
    @Test
    void cancelledAtEachPhaseWritesNothingAndTheProcessRunsOn(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "100"), Duration.ofSeconds(120))) {
            for (Snapshotter.Phase at : Snapshotter.Phase.values()) {
                Path out = dir.resolve("cancelled-at-" + at + ".db");
                Snapshotter[] s = new Snapshotter[1];
                List<Snapshotter.Phase> seen = new ArrayList<>();
                s[0] = new Snapshotter(new LocalAgent(), Snapshotter.Options.DEFAULT, step -> {
                    seen.add(step.phase());
                    if (step.phase() == at) {
                        s[0].cancel();
                    }
                });
                SnapshotCancelledException e = assertThrows(SnapshotCancelledException.class, () -> s[0].take(List.of((int) t.pid()), out));
                assertEquals(at.compareTo(Snapshotter.Phase.PAUSING) < 0
                        ? "the snapshot was cancelled before any process was paused; nothing was written"
                        : "the snapshot was cancelled after the pause; nothing was written", e.getMessage(), "at " + at);
                assertEquals(at, seen.getLast(), "no step after the one cancelled at: " + seen);
                assertFalse(Files.exists(out), "nothing written when cancelled at " + at);
                try (var left = Files.list(dir)) {
                    assertEquals(List.of(), left.toList(), "no partial file");
                }
            }
            assertTrue(t.isAlive());
            // Resumed after the pauses of the cancelled ones: the next snapshot sees every goroutine.
            Snapshotter.Result r = new Snapshotter(new LocalAgent(), Snapshotter.Options.DEFAULT, step -> {})
                    .take(List.of((int) t.pid()), dir.resolve("after.db"));
            assertTrue(r.goroutines() >= 100, r.goroutines() + " goroutines");
        }
    }
}
