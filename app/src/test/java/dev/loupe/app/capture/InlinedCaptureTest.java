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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A spec function the compiler inlined: {@code main.carry} of {@code targets/stacks}, inlined into
 * {@code main.holdInlined}. Its frame is the inlined one of the stack, and its variables, which live in the
 * enclosing function's frame, are read with the inlined call's own location lists.
 */
class InlinedCaptureTest {
    private static final String SPEC = """
            functions:
              - function: main.carry
                capture:
                  - expr: o.ID
                  - expr: o.Customer
            """;

    @Test
    void anInlinedCallIsAFrameWithItsVariables(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "10", "-holders", "5"),
                Duration.ofSeconds(120))) {
            Path db = dir.resolve("inlined.db");
            new Snapshotter(new LocalAgent(), Snapshotter.Options.DEFAULT, line -> {}).take(List.of((int) t.pid()), db,
                    SpecReader.parse(SPEC, "inlined.yaml"));
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT t.o_ID, t.o_Customer, f.function, f.inlined, next.function"
                         + " FROM main_carry t JOIN goroutine_frames f ON f.process_id = t.process_id AND f.goid = t.goroutine_id"
                         + " AND f.depth = t.frame_idx JOIN goroutine_frames next ON next.process_id = f.process_id"
                         + " AND next.goid = f.goid AND next.depth = f.depth + 1")) {
                assertTrue(r.next(), "a row for the inlined frame");
                assertEquals(424242, r.getLong(1));
                assertEquals("inlined", r.getString(2));
                assertEquals("main.carry", r.getString(3));
                assertEquals(1, r.getInt(4), "the row's frame is the inlined one");
                assertEquals("main.holdInlined", r.getString(5), "inlined into main.holdInlined");
                assertTrue(!r.next(), "one goroutine holds it");
            }
        }
    }
}
