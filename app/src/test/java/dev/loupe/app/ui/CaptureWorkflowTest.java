package dev.loupe.app.ui;

import dev.loupe.app.capture.SnapshotCancelledException;
import dev.loupe.app.capture.Snapshotter;
import dev.loupe.app.export.Export;
import dev.loupe.app.store.SnapshotFile;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;
import javafx.beans.value.ObservableValue;
import javafx.scene.control.Button;
import javafx.scene.control.Tab;
import javafx.scene.control.TreeItem;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Taking snapshots from the window, on JavaFX's headless platform: a real Go process found under Targets, captured
 * with a spec through the Capture button, kept in the history (renamed, deleted), and a capture cancelled.
 */
class CaptureWorkflowTest {
    @BeforeAll
    static void startJavaFx() throws Exception {
        Fx.start();
    }

    @Test
    void aProcessUnderTargetsIsCapturedWithASpecIntoTheHistory(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        Path spec = Files.writeString(dir.resolve("holders.yaml"),
                "functions:\n  - function: main.holdA\n    capture:\n      - expr: id\n      - expr: o\n");
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "50", "-holders", "3"),
                Duration.ofSeconds(120))) {
            Stage stage = Fx.call(Stage::new);
            Path history = dir.resolve("history");
            Workstation w = Fx.call(() -> new Workstation(stage, history, StacksSnapshot.OPTIONS));
            TargetsView targets = Fx.call(w::targets);
            Fx.call(targets::refresh).get(60, TimeUnit.SECONDS);
            Path exe = t.binary().toRealPath();
            Fx.call(() -> {
                // The target under its binary, with its Go version.
                TreeItem<TargetsView.Row> binary = targets.table().getRoot().getChildren().stream()
                        .filter(b -> b.getValue().exe().equals(exe)).findFirst().orElseThrow();
                TargetsView.Row process = binary.getChildren().stream().map(TreeItem::getValue)
                        .filter(r -> r.process().pid() == t.pid()).findFirst().orElseThrow();
                assertTrue(process.process().goVersion().startsWith("go1."), process.toString());
                targets.select(List.of((int) t.pid()));
                targets.setSpec(spec);
                return null;
            });
            Fx.call(() -> when(targets.canCaptureProperty())).get(120, TimeUnit.SECONDS);
            Button capture = Fx.call(() -> (Button) targets.lookup(".button.accent"));
            Fx.call(() -> {
                assertFalse(capture.isDisabled(), "Capture is on with a process selected");
                capture.fire();
                assertTrue(w.captureProgress().isVisible(), "the progress bar while it runs");
                assertTrue(capture.isDisabled(), "one snapshot at a time");
                return null;
            });
            Tab tab = Fx.call(w::capturing).get(120, TimeUnit.SECONDS);
            Path taken = Fx.call(() -> {
                assertFalse(w.captureProgress().isVisible(), "gone once it is done");
                assertEquals(Snapshotter.Phase.WRITING, w.captureProgress().phase(), "it went through to writing");
                return w.pathOf(tab);
            });
            assertEquals(history, taken.getParent());
            assertEquals(taken.getFileName().toString(), Fx.call(tab::getText));
            assertTrue(Fx.call(w::status).matches(".*: \\d+ goroutines in \\d+ stacks"), Fx.call(w::status));
            try (SnapshotFile f = SnapshotFile.open(taken)) {
                long holding = f.stackGroups().stream().filter(g -> g.frames().stream().anyMatch(x -> x.function().equals("main.holdA")))
                        .mapToLong(SnapshotFile.StackGroup::count).sum();
                assertTrue(holding > 0, "some goroutine holds A");
                assertEquals(holding, ((Number) f.query("SELECT count(*) FROM main_holdA", 1).rows().getFirst().getFirst()).longValue(),
                        "the spec's function table: a row per goroutine in main.holdA");
            }
            HistoryView snapshots = Fx.call(w::snapshots);
            assertEquals(List.of(taken), Fx.call(snapshots::refresh).get(60, TimeUnit.SECONDS).stream().map(HistoryView.Entry::file).toList());

            // Renamed while open: the tab goes on under the new name, and shares the file where it is now; a name
            // taken already is refused in one line.
            Path renamed = Fx.call(() -> snapshots.rename(taken, "holders")).orElseThrow();
            assertEquals(history.resolve("holders.db"), renamed);
            assertEquals(List.of(renamed), Fx.call(snapshots::refresh).get(60, TimeUnit.SECONDS).stream().map(HistoryView.Entry::file).toList());
            assertEquals("holders.db", Fx.call(tab::getText));
            assertEquals(renamed, Fx.call(() -> w.pathOf(tab)));
            // Shared and exported: a copy of the file where it is now that opens as a snapshot, folded stacks a line
            // per stack, a gzipped profile; a folder that is not there is one line.
            Path shared = w.saveCopy(tab, dir.resolve("shared.db")).get(60, TimeUnit.SECONDS);
            assertEquals(Files.size(renamed), Files.size(shared));
            List<SnapshotFile.StackGroup> groups;
            try (SnapshotFile f = SnapshotFile.open(shared)) {
                groups = f.stackGroups();
            }
            Path folded = w.export(tab, Export.Format.folded, dir.resolve("stacks.txt")).get(60, TimeUnit.SECONDS);
            assertEquals(groups.size(), Files.readAllLines(folded).size());
            Path pprof = w.export(tab, Export.Format.pprof, dir.resolve("goroutine.pb.gz")).get(60, TimeUnit.SECONDS);
            byte[] head = Files.readAllBytes(pprof);
            assertTrue(head.length > 20 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b, "gzip");
            assertEquals("Wrote " + pprof, Fx.call(w::status));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> w.export(tab, Export.Format.folded, dir.resolve("no/such/dir/x.txt")).get(60, TimeUnit.SECONDS));
            assertTrue(Fx.call(w::status).startsWith("Cannot write there: NoSuchFileException"), Fx.call(w::status) + " " + e);
            Files.copy(renamed, history.resolve("copy.db"));
            assertTrue(Fx.call(() -> snapshots.rename(renamed, "copy")).isEmpty());
            assertEquals("copy.db already exists in " + history + ": choose another name", Fx.call(w::status));
            assertTrue(Fx.call(() -> snapshots.rename(renamed, "a/b")).isEmpty());
            assertTrue(Fx.call(w::status).contains("without '/'"), Fx.call(w::status));

            // Deleted: its tab closes first.
            assertTrue(Fx.call(() -> snapshots.delete(renamed)));
            assertFalse(Files.exists(renamed));
            assertFalse(Fx.call(() -> w.tabs().contains(tab)), "its tab is closed");
            assertEquals(List.of(history.resolve("copy.db")),
                    Fx.call(snapshots::refresh).get(60, TimeUnit.SECONDS).stream().map(HistoryView.Entry::file).toList());
            Fx.run(stage::close);
        }
    }

    @Test
    void aCaptureCancelledBeforeThePauseWritesNothing(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "50"), Duration.ofSeconds(120))) {
            Stage stage = Fx.call(Stage::new);
            Path history = dir.resolve("history");
            Workstation w = Fx.call(() -> new Workstation(stage, history, StacksSnapshot.OPTIONS));
            CompletableFuture<Tab> taking = Fx.call(() -> {
                CompletableFuture<Tab> f = w.capture(List.of((int) t.pid()), null);
                w.captureProgress().cancelButton().fire();
                return f;
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> taking.get(120, TimeUnit.SECONDS));
            assertInstanceOf(SnapshotCancelledException.class, e.getCause());
            assertEquals("the snapshot was cancelled before any process was paused; nothing was written", Fx.call(w::status));
            assertFalse(Fx.call(() -> w.captureProgress().isVisible()));
            try (var files = Files.list(history)) {
                assertEquals(List.of(), files.toList(), "nothing in the history");
            }
            assertTrue(t.isAlive());
            // The next one goes through.
            Fx.call(() -> w.capture(List.of((int) t.pid()), null)).get(120, TimeUnit.SECONDS);
            Fx.run(stage::close);
        }
    }

    /** Completes once {@code value} is true. */
    private static CompletableFuture<Void> when(ObservableValue<Boolean> value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (value.getValue()) {
            done.complete(null);
        } else {
            value.addListener((o, was, is) -> {
                if (is) {
                    done.complete(null);
                }
            });
        }
        return done;
    }
}
