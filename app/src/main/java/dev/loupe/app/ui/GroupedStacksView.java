package dev.loupe.app.ui;

import dev.loupe.app.cli.StacksCommand;
import dev.loupe.app.export.GoroutineProfile;
import dev.loupe.app.store.SnapshotFile.StackGroup;
import dev.loupe.decoder.Frame;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableView;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Goroutines grouped by identical stack, largest group first: a row per group (count, states and wait reasons,
 * longest wait, process), expanding to its frames, innermost first, inlined ones marked.
 */
final class GroupedStacksView extends TreeTableView<GroupedStacksView.Row> {
    /** A group, or one frame of its stack. */
    record Row(StackGroup group, Frame frame) {
        String what() {
            return frame == null ? StacksCommand.states(group) : frame.function() + (frame.inlined() ? "  (inlined)" : "");
        }

        String where() {
            return frame == null ? GoroutineProfile.processName(group) : frame.file() + ":" + frame.line();
        }
    }

    GroupedStacksView(List<StackGroup> groups) {
        TreeTableColumn<Row, Integer> count = new TreeTableColumn<>("Goroutines");
        count.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().getValue().frame() == null
                ? c.getValue().getValue().group().count() : null));
        count.setPrefWidth(110);
        TreeTableColumn<Row, String> what = new TreeTableColumn<>("State / function");
        what.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().what()));
        what.setPrefWidth(520);
        TreeTableColumn<Row, String> wait = new TreeTableColumn<>("Longest wait");
        wait.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().frame() == null
                ? StacksCommand.longestWait(c.getValue().getValue().group()) : ""));
        wait.setPrefWidth(120);
        TreeTableColumn<Row, String> where = new TreeTableColumn<>("Process / file:line");
        where.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().getValue().where()));
        where.setPrefWidth(420);
        getColumns().setAll(List.of(count, what, wait, where));
        TreeItem<Row> root = new TreeItem<>();
        root.getChildren().setAll(groups.stream().map(GroupedStacksView::item).collect(Collectors.toList()));
        setRoot(root);
        setShowRoot(false);
        setColumnResizePolicy(TreeTableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    }

    private static TreeItem<Row> item(StackGroup g) {
        TreeItem<Row> item = new TreeItem<>(new Row(g, null));
        item.getChildren().setAll(g.frames().stream().map(f -> new TreeItem<>(new Row(g, f))).toList());
        return item;
    }
}
