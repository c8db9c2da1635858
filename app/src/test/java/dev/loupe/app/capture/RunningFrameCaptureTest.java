package dev.loupe.app.capture;

import dev.loupe.agent.LocalAgent;
import dev.loupe.probegen.spec.SpecReader;
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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The innermost frame of a running goroutine: {@code main.spin} of {@code targets/values -spin} never blocks, so
 * at the pause its thread is in it, and its variables are where the location lists put them at the pc the thread
 * stopped at, registers included, the CFA found from sp with the pcsp table.
 */
class RunningFrameCaptureTest {
    private static final String SPEC = """
            functions:
              - function: main.spin
                capture:
                  - expr: label
                  - expr: step
                  - expr: len(label)
            """;

    @Test
    void aRunningFrameHasItsVariables(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("values"), List.of("-spin"), Duration.ofSeconds(120))) {
            List<String> seen = new ArrayList<>();
            // The spinning goroutine is running but for the moments the scheduler preempts it: a few snapshots find it so.
            for (int attempt = 0; attempt < 5 && seen.isEmpty(); attempt++) {
                Path db = dir.resolve("running-" + attempt + ".db");
                new Snapshotter(new LocalAgent(), Snapshotter.Options.DEFAULT, line -> {}).take(List.of((int) t.pid()), db,
                        SpecReader.parse(SPEC, "spin.yaml"));
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("SELECT t.label, t.step, t.len_label, t.frame_idx, f.function, g.status"
                             + " FROM main_spin t JOIN goroutines g ON g.process_id = t.process_id AND g.goid = t.goroutine_id"
                             + " JOIN goroutine_frames f ON f.process_id = t.process_id AND f.goid = t.goroutine_id"
                             + " AND f.depth = t.frame_idx")) {
                    while (r.next()) {
                        assertEquals("running", r.getString(6), "only a running goroutine is in main.spin");
                        assertEquals(0, r.getInt(4), "the innermost frame");
                        assertEquals("main.spin", r.getString(5));
                        seen.add(r.getString(1) + " " + r.getLong(2) + " " + r.getLong(3));
                    }
                }
            }
            assertEquals(List.of("spinning in registers 7 21"), seen, "one snapshot of five found it running");
        }
    }
}
