package dev.loupe.app.ui;

import dev.loupe.app.store.SnapshotFile;
import dev.loupe.probegen.spec.SpecReader;
import javafx.scene.Node;
import javafx.scene.control.Tab;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TabPane;
import javafx.scene.control.TreeItem;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real window, on JavaFX's headless platform, with real snapshot files. */
class WorkstationTest {
    @BeforeAll
    static void startJavaFx() throws Exception {
        Fx.start();
    }

    @Test
    void aSnapshotOpensAsItsGroupedStacks(@TempDir Path dir) throws Exception {
        Path db = StacksSnapshot.take(dir.resolve("stacks.db"), List.of("-n", "200", "-holders", "5"),
                SpecReader.parse("functions: [{function: main.holdA, capture: [{expr: id}, {expr: o}]}]\n", "holders.yaml"));
        List<SnapshotFile.StackGroup> expected;
        try (SnapshotFile file = SnapshotFile.open(db)) {
            expected = file.stackGroups();
        }
        Stage stage = Fx.call(Stage::new);
        Workstation w = Fx.call(() -> new Workstation(stage));
        Tab tab = w.open(db).get(60, TimeUnit.SECONDS);
        Fx.call(() -> {
            // The window styled and laid out, as a pulse does before a user sees the tab: the future completes as the
            // tab is added, and until then its views have no skins, so the flame graph would not be in the window yet.
            stage.getScene().getRoot().applyCss();
            stage.getScene().getRoot().layout();
            SnapshotView snapshot = (SnapshotView) tab.getContent();
            TabPane views = (TabPane) snapshot.getCenter();
            assertEquals(List.of("Flame graph", "Grouped stacks", "Tables"), views.getTabs().stream().map(Tab::getText).toList());
            assertFlameGraph(snapshot.flameGraph(), expected);
            GroupedStacksView view = snapshot.groupedStacks();
            List<TreeItem<GroupedStacksView.Row>> groups = view.getRoot().getChildren();
            assertEquals(expected.size(), groups.size(), "a row per stack");
            assertEquals(expected.getFirst().count(), groups.getFirst().getValue().group().count(), "largest group first");
            assertEquals(expected.getFirst().goids().size(), groups.getFirst().getChildren().size(), "its goroutines");
            var own = expected.getFirst().frames().stream().filter(f -> FlameTree.kind(f.function()) == FlameTree.Kind.PROGRAM).findFirst().orElseThrow();
            assertTrue(groups.getFirst().getValue().where().startsWith(own.function() + "  " + GroupedStacksView.shortFile(own.file()) + ":" + own.line()),
                    "a group says where its stack is in the program: " + groups.getFirst().getValue().where());
            int goroutines = groups.stream().mapToInt(g -> g.getValue().group().count()).sum();
            assertTrue(goroutines > 205, goroutines + " goroutines");
            assertEquals("stacks.db: " + goroutines + " goroutines in " + expected.size() + " stacks", w.status());
            assertEquals("stacks.db", tab.getText());
            return null;
        });
        SnapshotView snapshot = Fx.call(() -> (SnapshotView) tab.getContent());
        Fx.run(() -> {
            // The View menu's keys, as the scene has them from the menu bar.
            var keys = stage.getScene().getAccelerators();
            keys.get(KeyCombination.keyCombination("Shortcut+3")).run();
            assertEquals(2, snapshot.shownView(), "Ctrl+3: Tables");
            keys.get(KeyCombination.keyCombination("Shortcut+F")).run();
            keys.get(KeyCombination.keyCombination("Shortcut+1")).run();
            assertEquals(0, snapshot.shownView(), "Ctrl+1: the flame graph");
        });
        assertDetail(snapshot, expected);
        assertQueries(Fx.call(snapshot::tables), expected);
        assertGoroutineLink(snapshot);
        assertFilters(snapshot, expected, db);
        Fx.run(stage::close);
    }

    /** The flame graph against the file's own groups: widths, hover, zoom and back, search and its share. */
    private static void assertFlameGraph(FlameGraphView flame, List<SnapshotFile.StackGroup> groups) {
        flame.applyCss();
        flame.resize(1440, 800);
        flame.layout();
        int total = groups.stream().mapToInt(SnapshotFile.StackGroup::count).sum();
        FlameTree.Node root = flame.zoomed();
        assertEquals(total, root.count, "the root is every goroutine");
        FlameTree.Node process = root.children().getFirst();
        double[] at = flame.centreOf(process);
        assertTrue(at != null, "the process is drawn");
        assertEquals(process, flame.nodeAt(at[0], at[1]));
        assertTrue(flame.describe(process).contains(process.count + " goroutines"), flame.describe(process));
        // The widest frame under the process: zoom into it, then back out through the breadcrumb's root.
        FlameTree.Node widest = process.children().stream().max(Comparator.comparingInt(n -> n.count)).orElseThrow();
        flame.zoom(widest);
        assertEquals(widest, flame.nodeAt(720, FlameGraphView.ROW / 2), "the node zoomed into spans the width");
        Node canvas = flame.lookup("#flame-graph");
        canvas.fireEvent(new KeyEvent(KeyEvent.KEY_PRESSED, "", "", KeyCode.ESCAPE, false, false, false, false));
        assertEquals(process, flame.zoomed(), "Esc: out a level");
        flame.zoom(widest);
        canvas.fireEvent(new KeyEvent(KeyEvent.KEY_PRESSED, "", "", KeyCode.HOME, false, false, false, false));
        assertEquals(root, flame.zoomed(), "Home: every goroutine");
        flame.search("chanrecv");
        int expected = groups.stream().filter(g -> g.frames().stream().anyMatch(f -> f.function().toLowerCase(Locale.ROOT).contains("chanrecv")))
                .mapToInt(SnapshotFile.StackGroup::count).sum();
        assertTrue(expected > 0, "some goroutines receive from a channel");
        assertEquals(String.format(Locale.ROOT, "%d of %d goroutines (%.1f%%)", expected, total, 100.0 * expected / total),
                flame.share());
    }

    /** Selecting a goroutine of a group shows its frames and, at main.holdA's frame, the values captured there. */
    private static void assertDetail(SnapshotView snapshot, List<SnapshotFile.StackGroup> groups) throws Exception {
        SnapshotFile.StackGroup holders = groups.stream()
                .filter(g -> g.frames().stream().anyMatch(f -> f.function().equals("main.holdA"))).findFirst().orElseThrow();
        long goid = holders.goids().getLast();
        GoroutineDetailView detail = snapshot.detail();
        Fx.call(() -> {
            GroupedStacksView view = snapshot.groupedStacks();
            TreeItem<GroupedStacksView.Row> group = view.getRoot().getChildren().stream()
                    .filter(i -> i.getValue().group().stackId() == holders.stackId()).findFirst().orElseThrow();
            group.setExpanded(true);
            view.getSelectionModel().select(group.getChildren().getLast());
            return null;
        });
        Fx.call(() -> detail.whenShown(g -> g.goid() == goid)).get(60, TimeUnit.SECONDS);
        Fx.call(() -> {
            assertEquals(goid, detail.shown().goid());
            List<TreeItem<String>> frames = detail.tree().getRoot().getChildren();
            assertEquals(holders.frames().size(), frames.size(), "its frames");
            TreeItem<String> holdA = frames.stream().filter(f -> f.getValue().startsWith("main.holdA")).findFirst().orElseThrow();
            List<String> values = holdA.getChildren().stream().map(TreeItem::getValue).toList();
            assertTrue(values.stream().anyMatch(v -> v.matches("id = \\d+")), values.toString());
            TreeItem<String> o = holdA.getChildren().stream().filter(v -> v.getValue().equals("o")).findFirst().orElseThrow();
            assertTrue(o.getChildren().stream().anyMatch(v -> v.getValue().startsWith("Customer = ")), "o is a tree of its fields");
            assertTrue(GoroutineDetailView.stackText(detail.shown()).startsWith("goroutine " + goid + " ["), "copied as text");
            return null;
        });
    }

    /** Each filter against the same selection made from the file's groups, in both goroutine views. */
    private static void assertFilters(SnapshotView snapshot, List<SnapshotFile.StackGroup> groups, Path db) throws Exception {
        Set<List<Long>> withData;
        try (SnapshotFile f = SnapshotFile.open(db)) {
            withData = f.goroutinesWithData();
        }
        assertEquals(1, withData.size(), "main.holdA's one goroutine: " + withData);
        String receive = "chan receive";
        Map<GoroutineFilter, Integer> expected = Map.of(
                new GoroutineFilter("CHANRECV", null, false, false), goroutines(groups, g -> g.frames().stream()
                        .anyMatch(f -> f.function().toLowerCase(Locale.ROOT).contains("chanrecv")), null),
                new GoroutineFilter("", receive, false, false), goroutines(groups, g -> true, receive),
                new GoroutineFilter("", null, true, false), goroutines(groups, g -> !g.frames().getLast().function().startsWith("runtime.")
                        || g.frames().getLast().function().equals("runtime.main"), null),
                new GoroutineFilter("", null, false, true), 1);
        for (var e : expected.entrySet()) {
            Fx.call(() -> {
                snapshot.filter(e.getKey());
                int stacks = snapshot.groupedStacks().getRoot().getChildren().stream().mapToInt(i -> i.getValue().group().count()).sum();
                assertEquals(e.getValue(), stacks, "grouped stacks under " + e.getKey());
                assertEquals(e.getValue(), snapshot.flameGraph().zoomed().count, "flame graph under " + e.getKey());
                return null;
            });
        }
        assertTrue(expected.values().stream().allMatch(n -> n > 0 && n < groups.stream().mapToInt(SnapshotFile.StackGroup::count).sum()),
                "each filter leaves some goroutines out, and some in: " + expected);
        Fx.call(() -> {
            snapshot.filter(GoroutineFilter.NONE);
            return null;
        });
    }

    /** The goroutines of the groups {@code keep} keeps, in {@code state} (null: any). */
    private static int goroutines(List<SnapshotFile.StackGroup> groups, Predicate<SnapshotFile.StackGroup> keep, String state) {
        return groups.stream().filter(keep).mapToInt(g -> state == null ? g.count() : g.states().getOrDefault(state, 0)).sum();
    }

    /** A function table's goroutine_id leads to that goroutine's detail. */
    private static void assertGoroutineLink(SnapshotView snapshot) throws Exception {
        TablesView tables = snapshot.tables();
        Fx.call(() -> {
            tables.setSql("SELECT process_id, goroutine_id, frame_idx, id FROM main_holdA");
            return tables.run();
        }).get(60, TimeUnit.SECONDS);
        long[] g = Fx.call(() -> tables.goroutineAt(0)).orElseThrow();
        long goid = ((Number) Fx.call(() -> tables.grid().getItems().getFirst().get(1))).longValue();
        assertEquals(goid, g[1]);
        // Another goroutine in the detail first, so that only the click can bring this one there.
        long other = Fx.call(() -> {
            var group = snapshot.groupedStacks().getRoot().getChildren().stream()
                    .filter(i -> !i.getValue().group().goids().contains(goid)).findFirst().orElseThrow();
            group.setExpanded(true);
            snapshot.groupedStacks().getSelectionModel().select(group.getChildren().getFirst());
            return group.getValue().group().goids().getFirst();
        });
        Fx.call(() -> snapshot.detail().whenShown(d -> d.goid() == other)).get(60, TimeUnit.SECONDS);
        Fx.call(() -> {
            // The Tables view on screen, so that its cells are there to click.
            ((TabPane) snapshot.getCenter()).getSelectionModel().select(2);
            snapshot.getScene().getRoot().applyCss();
            snapshot.getScene().getRoot().layout();
            return null;
        });
        Fx.call(() -> {
            var cell = tables.grid().lookupAll(".table-cell").stream()
                    .filter(n -> n instanceof TableCell<?, ?> c && c.getIndex() == 0
                            && "goroutine_id".equals(c.getTableColumn().getText())).findFirst().orElseThrow();
            cell.fireEvent(new MouseEvent(MouseEvent.MOUSE_CLICKED, 5, 5, 5, 5,
                    MouseButton.PRIMARY, 1, false, false, false, false, true, false, false, true, false, true, null));
            return null;
        });
        Fx.call(() -> snapshot.detail().whenShown(d -> d.goid() == goid)).get(60, TimeUnit.SECONDS);
        assertEquals(goid, Fx.call(() -> snapshot.detail().shown().goid()), "the cell's goroutine in the detail");
        assertEquals(1, Fx.call(() -> ((TabPane) snapshot.getCenter()).getSelectionModel().getSelectedIndex()), "beside the grouped stacks");
    }

    /** The SQL console against the file: a query's rows in the grid, sorted and filtered; an error inline. */
    private static void assertQueries(TablesView tables, List<SnapshotFile.StackGroup> groups) throws Exception {
        int total = groups.stream().mapToInt(SnapshotFile.StackGroup::count).sum();
        Fx.call(() -> {
            tables.setSql("SELECT goid, status FROM goroutines");
            return null;
        });
        Fx.call(tables::run).get(60, TimeUnit.SECONDS);
        Fx.call(() -> {
            assertEquals(total + " rows", tables.message());
            // The list was read before the query, on the same thread: it is there.
            assertTrue(tables.listed().contains(new SnapshotFile.TableInfo("goroutines", SnapshotFile.TableKind.BUILT_IN, false, (long) total)),
                    tables.listed().toString());
            SnapshotFile.TableInfo listedFirst = tables.listed().getFirst();
            assertEquals("main_holdA " + SnapshotFile.TableKind.FUNCTION, listedFirst.name() + " " + listedFirst.kind(), "the spec's function table first");
            assertEquals(total, tables.grid().getItems().size());
            var goid = tables.grid().getColumns().getFirst();
            goid.setSortType(TableColumn.SortType.DESCENDING);
            tables.grid().getSortOrder().setAll(List.of(goid));
            long first = ((Number) tables.grid().getItems().getFirst().getFirst()).longValue();
            long second = ((Number) tables.grid().getItems().get(1).getFirst()).longValue();
            assertTrue(first > second, "sorted by goid, descending: " + first + ", " + second);
            tables.filter("running");
            assertTrue(tables.grid().getItems().stream().allMatch(r -> "running".equals(r.get(1))), "filtered");
            tables.filter("");
            tables.setSql("SELECT nonsense FROM goroutines");
            return null;
        });
        Fx.call(tables::run).get(60, TimeUnit.SECONDS);
        assertTrue(Fx.call(tables::message).contains("no such column: nonsense"), Fx.call(tables::message));
        Fx.call(() -> {
            tables.setSql("DELETE FROM goroutines");
            return null;
        });
        Fx.call(tables::run).get(60, TimeUnit.SECONDS);
        assertTrue(Fx.call(tables::message).toLowerCase(Locale.ROOT).contains("readonly"), Fx.call(tables::message));
    }
}
