package dev.loupe.app.capture;

import dev.loupe.agent.LocalAgent;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot of targets/stacks, end to end (program generated from the binary, run by the agent inside a pause,
 * decoded, symbolised, written), against the target's own {@code runtime.Stack(buf, true)} taken right after:
 * every goroutine the runtime prints as parked is in the snapshot with the same status, wait reason and frames
 * (function and file:line, inlined frames included) once the runtime's own hiding of its internals is applied.
 */
class SnapshotVsRuntimeStackTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 1_000, 100_000})
    void everyParkedGoroutineMatchesRuntimeStack(int goroutines, @TempDir Path dir) throws Exception {
        Gate.requireRoot();
        Path oracle = dir.resolve("stacks.txt");
        Path db = dir.resolve("snapshot.db");
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"),
                List.of("-n", Integer.toString(goroutines), "-oracle", oracle.toString()), Duration.ofSeconds(120))) {
            Snapshotter.Options options = new Snapshotter.Options(SnapshotProgram.DEFAULT_MAX_DEPTH, 256 << 20, Duration.ofSeconds(10));
            Snapshotter.Result result = new Snapshotter(new LocalAgent(), options, line -> {}).take(List.of((int) t.pid()), db);
            assertEquals(0, result.processes().getFirst().lostRecords(), "records lost");
            t.signal("USR1");
            t.awaitLine(l -> l.startsWith("oracle "), Duration.ofSeconds(120));
            RuntimeStackDump dump = RuntimeStackDump.parse(Files.readAllLines(oracle));
            CapturedGoroutines snapshot = CapturedGoroutines.read(db);
            Set<String> wrappers;
            try (GoBinary binary = GoBinary.open(t.binary())) {
                wrappers = CapturedGoroutines.wrappers(binary);
            }

            int compared = 0;
            for (RuntimeStackDump.Goroutine expected : dump.goroutines().values()) {
                if (!expected.state().equals("running") && !expected.state().equals("runnable")) {
                    snapshot.assertMatches(expected, wrappers);
                    compared++;
                }
            }
            assertTrue(compared >= goroutines, compared + " goroutines compared");
            assertTrue(snapshot.byGoid().keySet().containsAll(dump.goroutines().keySet()), "the snapshot has every goroutine");
            assertFalse(snapshot.byGoid().values().stream().anyMatch(c -> c.status().equals("dead")), "no dead goroutines");
            if (goroutines > 10) {
                // The busy goroutine is running (unwound from its thread's registers, any instruction) or was
                // preempted: either way its whole stack is there.
                List<String> busy = snapshot.byGoid().values().stream()
                        .filter(g -> g.frames().stream().anyMatch(f -> f.startsWith("main.busyLoop "))).findFirst()
                        .orElseThrow(() -> new AssertionError("no goroutine in main.busyLoop")).frames();
                assertTrue(busy.getLast().startsWith("main.busyOuter "), "the busy goroutine's stack: " + busy);
            }
        }
    }
}
