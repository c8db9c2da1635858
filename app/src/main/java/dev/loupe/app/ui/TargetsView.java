package dev.loupe.app.ui;

import atlantafx.base.theme.Styles;
import dev.loupe.agent.doctor.Doctor;
import dev.loupe.agent.doctor.Finding;
import dev.loupe.app.capture.GoProcesses;
import dev.loupe.app.capture.GoProcesses.GoProcess;
import dev.loupe.app.cli.StacksCommand;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableRow;
import javafx.scene.control.TreeTableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The Go processes of this machine grouped by executable, and what to capture of them: the processes selected
 * (a binary's row stands for all its processes), and a spec, optional. Whether this user can take snapshots is
 * checked once, off the JavaFX thread, by the same checks as {@code loupe doctor}: when it cannot, the view says
 * what is missing and how to get it, and Capture stays off; opening files is not affected.
 */
final class TargetsView extends VBox {
    /** A row: a binary (with its processes below it) or one process. */
    record Row(Path exe, GoProcess process, int processes) {
        String name() {
            return process != null ? Integer.toString(process.pid()) : exe.getFileName() + " (" + processes + ")";
        }
    }

    private final TreeTableView<Row> table = new TreeTableView<>(new TreeItem<>());
    private final Label spec = new Label("no spec: stacks only");
    private final Label privileges = new Label();
    private final Button capture = new Button("Capture");
    private final ReadOnlyBooleanWrapper canCapture = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper capturing = new ReadOnlyBooleanWrapper(false);
    private Path specFile;

    /** {@code onCapture} is given the pids selected and the spec file, or null; on the JavaFX thread. */
    TargetsView(BiConsumer<List<Integer>, Path> onCapture) {
        table.setShowRoot(false);
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setColumnResizePolicy(TreeTableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getStyleClass().add(Styles.DENSE);
        table.setPlaceholder(placeholder("Looking for Go processes ..."));
        table.setRowFactory(t -> new TreeTableRow<>() {
            @Override
            protected void updateItem(Row row, boolean empty) {
                super.updateItem(row, empty);
                setTooltip(empty || row == null ? null : new Tooltip(row.process() == null ? row.exe().toString()
                        : row.exe() + "\n" + row.process().commandLine()));
            }
        });
        table.getColumns().setAll(List.of(
                column("Process", 125, Row::name),
                column("Go", 70, r -> r.process() == null ? "" : r.process().goVersion()),
                column("Uptime", 62, r -> r.process() == null ? "" : StacksCommand.human(r.process().uptime())),
                column("Command line", 90, r -> r.process() == null ? r.exe().toString() : r.process().commandLine())));
        VBox.setVgrow(table, Priority.ALWAYS);

        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> refresh());
        Button chooseSpec = new Button("Spec...");
        chooseSpec.setOnAction(e -> chooseSpec(getScene().getWindow()));
        Button clearSpec = new Button("No spec");
        clearSpec.setOnAction(e -> setSpec(null));
        clearSpec.disableProperty().bind(Bindings.createBooleanBinding(() -> specFile == null, spec.textProperty()));
        capture.setDefaultButton(false);
        capture.getStyleClass().add(Styles.ACCENT);
        capture.disableProperty().bind(canCapture.not().or(capturing)
                .or(Bindings.isEmpty(table.getSelectionModel().getSelectedItems())));
        capture.setOnAction(e -> onCapture.accept(selectedPids(), specFile));
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox buttons = new HBox(6, refresh, chooseSpec, clearSpec, grow, capture);
        spec.setId("capture-spec");
        spec.getStyleClass().add(Styles.TEXT_MUTED);
        privileges.setWrapText(true);
        privileges.setId("capture-privileges");
        privileges.managedProperty().bind(privileges.visibleProperty());
        privileges.setVisible(false);
        privileges.getStyleClass().add(Styles.WARNING);
        setSpacing(6);
        setPadding(new Insets(6));
        getChildren().setAll(table, spec, buttons, privileges);
        refresh();
        checkPrivileges();
    }

    /** What the empty table says, wrapped to its width. */
    private static Label placeholder(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.setPadding(new Insets(12));
        return l;
    }

    private static TreeTableColumn<Row, String> column(String title, double width, Function<Row, String> text) {
        TreeTableColumn<Row, String> c = new TreeTableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyStringWrapper(x.getValue().getValue() == null ? "" : text.apply(x.getValue().getValue())));
        c.setPrefWidth(width);
        return c;
    }

    /** Lists the Go processes again, off the JavaFX thread; the future completes once the table shows them. */
    CompletableFuture<List<GoProcess>> refresh() {
        CompletableFuture<List<GoProcess>> done = new CompletableFuture<>();
        Task<List<GoProcess>> find = new Task<>() {
            @Override
            protected List<GoProcess> call() {
                return GoProcesses.list();
            }
        };
        find.setOnSucceeded(e -> {
            show(find.getValue());
            done.complete(find.getValue());
        });
        find.setOnFailed(e -> {
            table.getRoot().getChildren().clear();
            table.setPlaceholder(placeholder("Cannot list the Go processes: " + find.getException().getMessage()));
            done.completeExceptionally(find.getException());
        });
        Thread.ofVirtual().name("workstation-processes").start(find);
        return done;
    }

    private void show(List<GoProcess> processes) {
        Map<Path, List<GoProcess>> byExe = new LinkedHashMap<>();
        processes.forEach(p -> byExe.computeIfAbsent(p.exe(), x -> new ArrayList<>()).add(p));
        List<TreeItem<Row>> binaries = new ArrayList<>();
        byExe.forEach((exe, ps) -> {
            TreeItem<Row> binary = new TreeItem<>(new Row(exe, null, ps.size()));
            ps.forEach(p -> binary.getChildren().add(new TreeItem<>(new Row(exe, p, 1))));
            binary.setExpanded(true);
            binaries.add(binary);
        });
        table.getRoot().getChildren().setAll(binaries);
        table.setPlaceholder(placeholder("No Go processes this user can read (root sees every user's); Refresh to look again"));
    }

    /** Runs the privilege checks of {@code loupe doctor} once, off the JavaFX thread. */
    private void checkPrivileges() {
        Task<List<Finding>> check = new Task<>() {
            @Override
            protected List<Finding> call() {
                return Doctor.run().stream().filter(Finding::blocksSnapshot).toList();
            }
        };
        check.setOnSucceeded(e -> {
            List<Finding> missing = check.getValue();
            canCapture.set(missing.isEmpty());
            privileges.setVisible(!missing.isEmpty());
            privileges.setText(missing.isEmpty() ? "" : "Snapshots cannot be taken here; opening files still works. "
                    + String.join(" ", missing.stream().map(f -> f.check() + ": " + f.detail() + "; to fix: " + f.remedy() + ".").toList())
                    + " (./loupe doctor checks again)");
        });
        check.setOnFailed(e -> {
            privileges.setVisible(true);
            privileges.setText("Cannot check whether snapshots work here: " + check.getException().getMessage() + "; ./loupe doctor says more");
        });
        Thread.ofVirtual().name("workstation-doctor").start(check);
    }

    /** The pids of the rows selected: a binary's row stands for each of its processes. */
    List<Integer> selectedPids() {
        return table.getSelectionModel().getSelectedItems().stream()
                .flatMap(i -> i.getValue().process() != null ? Stream.of(i)
                        : i.getChildren().stream())
                .map(i -> i.getValue().process().pid()).distinct().toList();
    }

    /** The executable of the first row selected: the binary a new spec is checked against. */
    Optional<Path> selectedBinary() {
        return table.getSelectionModel().getSelectedItems().stream().filter(Objects::nonNull).map(i -> i.getValue().exe()).findFirst();
    }

    /** Selects the rows of {@code pids}; for tests and for the keyboard. */
    void select(List<Integer> pids) {
        table.getSelectionModel().clearSelection();
        table.getRoot().getChildren().stream().flatMap(b -> b.getChildren().stream())
                .filter(i -> pids.contains(i.getValue().process().pid()))
                .forEach(i -> table.getSelectionModel().select(i));
    }

    /** The spec the next capture uses, or null for stacks only. */
    void setSpec(Path file) {
        specFile = file;
        spec.setText(file == null ? "no spec: stacks only" : "spec: " + file);
    }

    Optional<Path> spec() {
        return Optional.ofNullable(specFile);
    }

    private void chooseSpec(Window owner) {
        File f = SpecEditor.specChooser("The spec to capture with").showOpenDialog(owner);
        if (f != null) {
            setSpec(f.toPath());
        }
    }

    /** Whether this user can take snapshots here, once the check has run. */
    ReadOnlyBooleanProperty canCaptureProperty() {
        return canCapture.getReadOnlyProperty();
    }

    /** Set while a capture runs: Capture stays off until it ends. */
    void setCapturing(boolean running) {
        capturing.set(running);
    }

    /** Puts the keyboard focus on the processes. */
    void focusTable() {
        table.requestFocus();
    }

    TreeTableView<Row> table() {
        return table;
    }
}
