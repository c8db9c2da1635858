package dev.loupe.app.ui;

import atlantafx.base.theme.Styles;
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

import java.util.ArrayList;
import java.util.List;

/**
 * Goroutines grouped by identical stack, largest group first: a row per group (count, states and wait reasons,
 * longest wait, where its stack is in the program, process), expanding to its goroutines. The goroutine selected (a group's first, for a group) is
 * what {@link #selectedGoroutine} holds, for its detail.
 */
final class GroupedStacksView extends TreeTableView<GroupedStacksView.Row> {
    /** A group, or one of its goroutines ({@code goid} null for the group), the {@code index}th of its group. */
    record Row(StackGroup group, Long goid, int index) {
        /** A group's states; a goroutine's id, with its state when its group's goroutines are not all in one. */
        String what() {
            if (goid == null) {
                return StacksCommand.states(group);
            }
            return "goroutine " + goid + (group.states().size() > 1 ? "  [" + group.goidStates().get(index) + "]" : "");
        }

        /**
         * Where the stack is: its innermost frame of the program's own code (else its innermost), and for a group
         * also the process; what tells one group from another with the same state.
         */
        String where() {
            Frame at = group.frames().stream().filter(f -> FlameTree.kind(f.function()) == FlameTree.Kind.PROGRAM).findFirst()
                    .orElse(group.frames().isEmpty() ? null : group.frames().getFirst());
            String frame = at == null ? "" : at.function() + "  " + shortFile(at.file()) + ":" + at.line();
            return goid == null ? frame + "    " + GoroutineProfile.processName(group) : frame;
        }
    }

    /** A source file by its last two names ({@code stacks/main.go}): enough to tell it, short enough for a column. */
    static String shortFile(String file) {
        if (file == null) {
            return "?";
        }
        int last = file.lastIndexOf('/');
        int before = last > 0 ? file.lastIndexOf('/', last - 1) : -1;
        return file.substring(before + 1);
    }

    /** The goroutine selected: the process's id in the file and the goid; null when nothing is. */
    private final ObjectProperty<long[]> selectedGoroutine = new SimpleObjectProperty<>();

    /** Empty until {@link #show}. */
    GroupedStacksView() {
        TreeTableColumn<Row, Integer> count = new TreeTableColumn<>("Count");
        count.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().getValue().goid() == null
                ? c.getValue().getValue().group().count() : null));
        count.setPrefWidth(80);
        count.setMinWidth(80);
        TreeTableColumn<Row, String> what = new TreeTableColumn<>("State");
        what.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().what()));
        what.setPrefWidth(190);
        TreeTableColumn<Row, String> wait = new TreeTableColumn<>("Waited");
        wait.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().goid() == null
                ? StacksCommand.longestWait(c.getValue().getValue().group()) : ""));
        wait.setPrefWidth(80);
        wait.setMinWidth(80);
        TreeTableColumn<Row, String> where = new TreeTableColumn<>("Where (the program's innermost frame)");
        where.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().where()));
        where.setPrefWidth(420);
        getColumns().setAll(List.of(count, what, wait, where));
        setShowRoot(false);
        getStyleClass().add(Styles.DENSE);
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
            super(new Row(g, null, -1));
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
                List<TreeItem<Row>> rows = new ArrayList<>(g.goids().size());
                for (int i = 0; i < g.goids().size(); i++) {
                    rows.add(new TreeItem<>(new Row(g, g.goids().get(i), i)));
                }
                super.getChildren().setAll(rows);
            }
            return super.getChildren();
        }
    }
}
