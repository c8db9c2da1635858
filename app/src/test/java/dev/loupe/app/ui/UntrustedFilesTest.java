package dev.loupe.app.ui;

import dev.loupe.testkit.Exec;
import javafx.scene.control.Button;
import javafx.scene.control.Tab;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files that are not what they claim, made from a real snapshot of targets/stacks: each is one line in the status
 * bar, and the window goes on to open a good file; a view that never ends is stopped from the Tables view.
 */
class UntrustedFilesTest {
    /** SQL that never ends: a recursive count with no bound. */
    private static final String FOREVER = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n";

    @BeforeAll
    static void startJavaFx() throws Exception {
        Fx.start();
    }

    @Test
    void eachBadFileIsOneLineAndAGoodOneOpensAfter(@TempDir Path dir) throws Exception {
        Path good = StacksSnapshot.take(dir.resolve("good.db"), List.of("-n", "50"), null);
        byte[] bytes = Files.readAllBytes(good);
        byte[] garbage = bytes.clone();
        // Every page after the first (the header and the start of the schema) overwritten.
        Arrays.fill(garbage, 4096, garbage.length, (byte) 0x5a);
        Map<Path, String> bad = Map.of(
                Files.writeString(dir.resolve("notes.db"), "not a database\n"), "is not a readable snapshot",
                sql(good, dir.resolve("newer.db"), "PRAGMA user_version=99"), "was written by a newer Loupe",
                sql(good, dir.resolve("hostile.db"), "DROP VIEW goroutine_frames; DROP TABLE goroutines;"
                        + " CREATE VIEW goroutines AS SELECT 1 AS process_id, i AS goid FROM (" + FOREVER + ");"),
                        "in place of the table goroutines it has SQL of its own",
                Files.write(dir.resolve("truncated.db"), Arrays.copyOf(bytes, bytes.length / 2)), "is corrupt",
                Files.write(dir.resolve("garbage.db"), garbage), "is corrupt",
                dir, "is a directory");
        Stage stage = Fx.call(Stage::new);
        Workstation w = Fx.call(() -> new Workstation(stage, dir.resolve("history")));
        for (var e : bad.entrySet()) {
            assertThrows(ExecutionException.class, () -> w.open(e.getKey()).get(60, TimeUnit.SECONDS));
            String status = Fx.call(w::status);
            assertTrue(status.startsWith(e.getKey().toString()) && status.contains(e.getValue()), e.getValue() + ": " + status);
            assertFalse(status.contains("\n") || status.contains("Exception"), status);
            assertEquals(0, Fx.call(w::tabs).size());
        }
        w.open(good).get(60, TimeUnit.SECONDS);
        assertTrue(Fx.call(w::status).startsWith("good.db: "), Fx.call(w::status));
        Fx.run(stage::close);
    }

    @Test
    void aViewThatNeverEndsIsStoppedAndTheSnapshotGoesOn(@TempDir Path dir) throws Exception {
        Path good = StacksSnapshot.take(dir.resolve("good.db"), List.of("-n", "50"), null);
        Path views = sql(good, dir.resolve("views.db"), "CREATE VIEW forever AS " + FOREVER + ";");
        Stage stage = Fx.call(Stage::new);
        Workstation w = Fx.call(() -> new Workstation(stage, dir.resolve("history")));
        Tab tab = w.open(views).get(60, TimeUnit.SECONDS);
        TablesView tables = Fx.call(() -> {
            // The Tables view on screen, as a user has it, so that its Run button is there.
            SnapshotView view = (SnapshotView) tab.getContent();
            view.showView(2);
            view.getScene().getRoot().applyCss();
            view.getScene().getRoot().layout();
            return view.tables();
        });
        Button run = Fx.call(() -> (Button) tables.lookup("#query-run"));
        CompletableFuture<Void> forever = Fx.call(() -> {
            tables.setSql("SELECT count(*) FROM forever");
            return tables.run();
        });
        assertEquals("Stop", Fx.call(run::getText));
        // Pressed once, whether the query runs already or is yet to: it stops, and the window goes on.
        Fx.run(run::fire);
        forever.get(60, TimeUnit.SECONDS);
        assertEquals("the query was stopped", Fx.call(tables::message));
        assertEquals("Run", Fx.call(run::getText));
        Fx.call(() -> {
            tables.setSql("SELECT count(*) FROM goroutines");
            return tables.run();
        }).get(60, TimeUnit.SECONDS);
        assertEquals("1 row", Fx.call(tables::message));
        assertTrue(((Number) Fx.call(() -> tables.grid().getItems().getFirst().getFirst())).intValue() > 50);
        Fx.run(stage::close);
    }

    /** A copy of {@code from} at {@code to}, changed by {@code sql} in the sqlite3 shell. */
    private static Path sql(Path from, Path to, String sql) throws Exception {
        Files.copy(from, to);
        Exec.run(Exec.cmd("sqlite3", to.toString(), sql));
        return to;
    }
}
