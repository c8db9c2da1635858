package dev.loupe.app.ui;

import atlantafx.base.theme.Styles;
import dev.loupe.app.store.SnapshotFile;
import dev.loupe.app.store.StoreException;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.collections.transformation.SortedList;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The snapshot's tables and views with their row counts; a grid of a query's rows, sortable, with a quick filter;
 * and an SQL console (Ctrl+Enter runs), whose errors show inline. Queries run on the file's read-only connection,
 * off the JavaFX thread ({@link OpenSnapshot}).
 */
final class TablesView extends SplitPane {
    /** The most rows a grid holds; more are said to be there. */
    static final int MAX_ROWS = 10_000;

    private final OpenSnapshot snapshot;
    /** The tables under a heading per kind. */
    private final TreeView<Listed> list = new TreeView<>();
    private Consumer<long[]> onGoroutine = g -> { };
    private final TextArea sql = new TextArea();
    private final Label message = new Label();
    private final TextField filter = new TextField();
    private final TableView<List<Object>> grid = new TableView<>();
    private final ObservableList<List<Object>> rows = FXCollections.observableArrayList();
    private final FilteredList<List<Object>> filtered = new FilteredList<>(rows);
    /** Run, or Stop while a query runs. */
    private final Button runButton = new Button("Run");
    /** A query of the console's under way: done once shown; {@code stop} set to stop it. */
    private record Running(CompletableFuture<Void> done, AtomicBoolean stop) {}
    private Running running;

    TablesView(OpenSnapshot snapshot) {
        this.snapshot = snapshot;
        list.setShowRoot(false);
        list.getStyleClass().add(Styles.DENSE);
        // Counting every table's rows is not on the way to the first paint: the list fills in once counted.
        snapshot.read(SnapshotFile::tables).whenComplete((tables, e) -> {
            if (tables != null) {
                list.setRoot(byKind(tables));
            } else {
                message.setText("Cannot list the tables: " + e.getMessage());
            }
        });
        list.setCellFactory(v -> new TreeCell<>() {
            @Override
            protected void updateItem(Listed t, boolean empty) {
                super.updateItem(t, empty);
                if (empty || t == null) {
                    setGraphic(null);
                    return;
                }
                Label name = new Label(t.title());
                if (t.table() == null) {
                    name.getStyleClass().add(Styles.TEXT_BOLD);
                    setGraphic(name);
                    return;
                }
                Label rows = new Label(t.table().view() ? "view" : String.format("%,d", t.table().rows()));
                rows.getStyleClass().add(Styles.TEXT_MUTED);
                Region gap = new Region();
                HBox.setHgrow(gap, Priority.ALWAYS);
                HBox line = new HBox(8, name, gap, rows);
                line.setPadding(new Insets(0, 6, 0, 0));
                setGraphic(line);
            }
        });
        list.getSelectionModel().selectedItemProperty().addListener((o, was, item) -> {
            if (item != null && item.getValue().table() != null) {
                sql.setText("SELECT * FROM \"" + item.getValue().title().replace("\"", "\"\"") + "\"");
                run();
            }
        });
        sql.setPrefRowCount(4);
        sql.setWrapText(true);
        sql.getStyleClass().add("code");
        grid.getStyleClass().add(Styles.DENSE);
        sql.setPromptText("SQL over the snapshot; Ctrl+Enter runs it");
        sql.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER && e.isShortcutDown()) {
                run();
                e.consume();
            } else if (e.getCode() == KeyCode.ESCAPE && running != null) {
                stop();
                e.consume();
            }
        });
        runButton.setId("query-run");
        runButton.setOnAction(e -> {
            if (running == null) {
                run();
            } else {
                stop();
            }
        });
        filter.setPromptText("Filter rows");
        filter.textProperty().addListener((o, was, is) -> {
            String needle = is == null ? "" : is.toLowerCase(Locale.ROOT);
            filtered.setPredicate(needle.isEmpty() ? null
                    : row -> row.stream().anyMatch(v -> v != null && v.toString().toLowerCase(Locale.ROOT).contains(needle)));
        });
        SortedList<List<Object>> sorted = new SortedList<>(filtered);
        sorted.comparatorProperty().bind(grid.comparatorProperty());
        grid.setItems(sorted);
        message.setWrapText(false);
        message.setId("query-message");
        HBox bar = new HBox(8, runButton, message, filter);
        HBox.setHgrow(message, Priority.ALWAYS);
        message.setMaxWidth(Double.MAX_VALUE);
        bar.setPadding(new Insets(6, 8, 6, 8));
        bar.setAlignment(Pos.CENTER_LEFT);
        VBox console = new VBox(sql, bar);
        BorderPane right = new BorderPane(grid, console, null, null, null);
        getItems().setAll(list, right);
        setDividerPositions(0.26);
        setOrientation(Orientation.HORIZONTAL);
    }

    /**
     * Runs the console's SQL, on the JavaFX thread, in place of the query under way (which is stopped: its rows would
     * not be shown); the future completes on it once the grid or the message shows it.
     */
    CompletableFuture<Void> run() {
        stop();
        String text = sql.getText();
        message.setText("Running... (Esc or Stop stops it)");
        runButton.setText("Stop");
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> done = snapshot.read(file -> file.query(text, MAX_ROWS, stop::get)).handle((r, e) -> {
            if (r != null) {
                show(r);
            } else {
                // SQLite's own words, on one line: the SQL is the user's to fix.
                message.setText(e instanceof StoreException ? e.getMessage().replace('\n', ' ') : "the query failed: " + e);
            }
            return null;
        });
        Running query = new Running(done, stop);
        running = query;
        done.thenRun(() -> {
            if (running == query) {
                running = null;
                runButton.setText("Run");
            }
        });
        return done;
    }

    /** Stops the query under way (a view of the file's may never end), whether it runs already or waits its turn. */
    void stop() {
        if (running != null) {
            running.stop().set(true);
        }
    }

    void setSql(String text) {
        sql.setText(text);
    }

    /** A line of the list: a kind's heading (no table), or a table. */
    private record Listed(String title, SnapshotFile.TableInfo table) {}

    /** The tables under a heading per kind, in the file's order (kind by kind), every heading open. */
    private static TreeItem<Listed> byKind(List<SnapshotFile.TableInfo> tables) {
        TreeItem<Listed> root = new TreeItem<>();
        for (SnapshotFile.TableKind kind : SnapshotFile.TableKind.values()) {
            List<TreeItem<Listed>> of = tables.stream().filter(t -> t.kind() == kind)
                    .map(t -> new TreeItem<>(new Listed(t.name(), t))).toList();
            if (!of.isEmpty()) {
                TreeItem<Listed> heading = new TreeItem<>(new Listed(kind.title(), null));
                heading.getChildren().setAll(of);
                heading.setExpanded(true);
                root.getChildren().add(heading);
            }
        }
        return root;
    }

    /** The tables and views listed, with their row counts, in the list's order. */
    List<SnapshotFile.TableInfo> listed() {
        if (list.getRoot() == null) {
            return List.of();
        }
        return list.getRoot().getChildren().stream().flatMap(h -> h.getChildren().stream()).map(i -> i.getValue().table()).toList();
    }

    String message() {
        return message.getText();
    }

    TableView<List<Object>> grid() {
        return grid;
    }

    void filter(String text) {
        filter.setText(text);
    }

    /** The quick filter of the grid's rows. */
    TextField filterField() {
        return filter;
    }

    /**
     * The goroutine of row {@code row} of the grid, as {process_id, goid}: from its goroutine_id (or goid) column and
     * its process_id column (1 without one: a snapshot of one process); empty when it has no such column or value.
     */
    Optional<long[]> goroutineAt(int row) {
        List<String> names = grid.getColumns().stream().map(TableColumn::getText).toList();
        int goid = names.contains("goroutine_id") ? names.indexOf("goroutine_id") : names.indexOf("goid");
        int process = names.indexOf("process_id");
        if (goid < 0 || row < 0 || row >= grid.getItems().size()) {
            return Optional.empty();
        }
        List<Object> values = grid.getItems().get(row);
        if (!(values.get(goid) instanceof Number g) || process >= 0 && !(values.get(process) instanceof Number)) {
            return Optional.empty();
        }
        return Optional.of(new long[] {process < 0 ? 1 : ((Number) values.get(process)).longValue(), g.longValue()});
    }

    /** What a click on a goroutine_id (or goid) cell does with its goroutine, {process_id, goid}. */
    void setOnGoroutine(Consumer<long[]> open) {
        this.onGoroutine = open;
    }

    private void show(SnapshotFile.QueryResult r) {
        grid.getColumns().clear();
        for (int i = 0; i < r.columns().size(); i++) {
            int column = i;
            TableColumn<List<Object>, Object> c = new TableColumn<>(r.columns().get(i));
            c.setCellValueFactory(v -> new ReadOnlyObjectWrapper<>(v.getValue().get(column)));
            c.setComparator(VALUES);
            if (r.columns().get(i).equals("goroutine_id") || r.columns().get(i).equals("goid")) {
                // A goroutine's id opens its detail.
                c.setCellFactory(x -> {
                    TableCell<List<Object>, Object> cell = new TableCell<>() {
                        @Override
                        protected void updateItem(Object v, boolean empty) {
                            super.updateItem(v, empty);
                            setText(empty || v == null ? null : v.toString());
                            getStyleClass().remove("goroutine-link");
                            if (!empty && v != null) {
                                getStyleClass().add("goroutine-link");
                            }
                        }
                    };
                    cell.setOnMouseClicked(e -> goroutineAt(cell.getIndex()).ifPresent(g -> onGoroutine.accept(g)));
                    return cell;
                });
            }
            grid.getColumns().add(c);
        }
        rows.setAll(r.rows());
        message.setText(r.rows().size() + (r.rows().size() == 1 ? " row" : " rows") + (r.more() ? " (the first " + MAX_ROWS + ")" : ""));
    }

    /** SQL's order: NULL first, then numbers by value, then text. */
    private static final Comparator<Object> VALUES = (a, b) -> {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (isIntegral(a) && isIntegral(b)) {
            return Long.compare(((Number) a).longValue(), ((Number) b).longValue());
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof Number != b instanceof Number) {
            return a instanceof Number ? -1 : 1;
        }
        return Objects.toString(a).compareTo(Objects.toString(b));
    };

    private static boolean isIntegral(Object v) {
        return v instanceof Long || v instanceof Integer;
    }
}
