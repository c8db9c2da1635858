package dev.loupe.app.ui;

import dev.loupe.app.cli.StacksCommand;
import dev.loupe.app.export.GoroutineProfile;
import dev.loupe.app.store.SnapshotFile.StackGroup;
import dev.loupe.decoder.Frame;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.ObservableList;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableView;

import java.util.List;

/**
 * Goroutines grouped by identical stack, largest group first: a row per group (count, states and wait reasons,
 * longest wait, process), expanding to its goroutines. The goroutine selected (a group's first, for a group) is
 * what {@link #selectedGoroutine} holds, for its detail.
 */
final class GroupedStacksView extends TreeTableView<GroupedStacksView.Row> {
    /** A group, or one of its goroutines ({@code goid} null for the group). */
    record Row(StackGroup group, Long goid) {
        String what() {
            return goid == null ? StacksCommand.states(group) : "goroutine " + goid;
        }

        /** For a group its process; for a goroutine the innermost frame of the program's own code (else the innermost). */
        String where() {
            if (goid == null) {
                return GoroutineProfile.processName(group);
            }
            Frame at = group.frames().stream().filter(f -> FlameTree.kind(f.function()) == FlameTree.Kind.PROGRAM).findFirst()
                    .orElse(group.frames().isEmpty() ? null : group.frames().getFirst());
            return at == null ? "" : at.function() + "  " + at.file() + ":" + at.line();
        }
    }

    /** The goroutine selected: the process's id in the file and the goid; null when nothing is. */
    private final ObjectProperty<long[]> selectedGoroutine = new SimpleObjectProperty<>();

    /** Empty until {@link #show}. */
    GroupedStacksView() {
        TreeTableColumn<Row, Integer> count = new TreeTableColumn<>("Goroutines");
        count.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().getValue().goid() == null
                ? c.getValue().getValue().group().count() : null));
        count.setPrefWidth(110);
        TreeTableColumn<Row, String> what = new TreeTableColumn<>("State / function");
        what.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().what()));
        what.setPrefWidth(520);
        TreeTableColumn<Row, String> wait = new TreeTableColumn<>("Longest wait");
        wait.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().goid() == null
                ? StacksCommand.longestWait(c.getValue().getValue().group()) : ""));
        wait.setPrefWidth(120);
        TreeTableColumn<Row, String> where = new TreeTableColumn<>("Process / file:line");
        where.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().where()));
        where.setPrefWidth(420);
        getColumns().setAll(List.of(count, what, wait, where));
        setShowRoot(false);
        setColumnResizePolicy(TreeTableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        getSelectionModel().selectedItemProperty().addListener((o, was, is) -> {
            Row r = is == null ? null : is.getValue();
            selectedGoroutine.set(r == null ? null
                    : new long[] {r.group().processId(), r.goid() != null ? r.goid() : r.group().goids().getFirst()});
        });
    }

    /** Shows {@code groups}, nothing selected; a new filter's in the same control, its cells and styles kept. */
    void show(List<StackGroup> groups) {
        TreeItem<Row> root = new TreeItem<>();
        root.getChildren().setAll(groups.stream().<TreeItem<Row>>map(GroupItem::new).toList());
        setRoot(root);
    }

    ReadOnlyObjectProperty<long[]> selectedGoroutine() {
        return selectedGoroutine;
    }

    /**
     * A group's row, whose goroutines' rows are made when first asked for (on expanding it): a snapshot's 100,000
     * goroutines are not 100,000 rows up front, nor again on every filter.
     */
    private static final class GroupItem extends TreeItem<Row> {
        private boolean made;

        GroupItem(StackGroup g) {
            super(new Row(g, null));
        }

        @Override
        public boolean isLeaf() {
            return false;
        }

        @Override
        public ObservableList<TreeItem<Row>> getChildren() {
            if (!made) {
                made = true;
                StackGroup g = getValue().group();
                super.getChildren().setAll(g.goids().stream().map(goid -> new TreeItem<>(new Row(g, goid))).toList());
            }
            return super.getChildren();
        }
    }
}
