package dev.loupe.app.ui;

import dev.loupe.app.capture.GoProcesses.GoProcess;
import dev.loupe.app.cli.StacksCommand;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.stage.Window;

import java.util.List;
import java.util.Optional;

/** The Go processes of this machine, by executable: the ones selected are what Capture takes. */
final class CaptureDialog {
    private CaptureDialog() {}

    /** The pids chosen, or empty when the dialog was cancelled or nothing was selected. */
    static Optional<List<Integer>> ask(Window owner, List<GoProcess> processes) {
        TableView<GoProcess> table = table(processes);
        Dialog<List<Integer>> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle("Capture a snapshot");
        d.setHeaderText(processes.isEmpty() ? "No Go processes this user can read (root sees every user's)"
                : "The Go processes to take (Ctrl+click for several)");
        d.getDialogPane().setContent(table);
        ButtonType capture = new ButtonType("Capture", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().setAll(capture, ButtonType.CANCEL);
        d.setResultConverter(b -> b == capture ? table.getSelectionModel().getSelectedItems().stream().map(GoProcess::pid).toList() : null);
        return d.showAndWait().filter(pids -> !pids.isEmpty());
    }

    static TableView<GoProcess> table(List<GoProcess> processes) {
        TableView<GoProcess> table = new TableView<>(FXCollections.observableArrayList(processes));
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        TableColumn<GoProcess, Integer> pid = new TableColumn<>("pid");
        pid.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().pid()));
        TableColumn<GoProcess, String> exe = new TableColumn<>("Binary");
        exe.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().exe().toString()));
        exe.setPrefWidth(320);
        TableColumn<GoProcess, String> go = new TableColumn<>("Go");
        go.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().goVersion()));
        TableColumn<GoProcess, String> uptime = new TableColumn<>("Uptime");
        uptime.setCellValueFactory(c -> new ReadOnlyStringWrapper(StacksCommand.human(c.getValue().uptime())));
        TableColumn<GoProcess, String> cmd = new TableColumn<>("Command line");
        cmd.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().commandLine()));
        cmd.setPrefWidth(360);
        table.getColumns().setAll(List.of(pid, exe, go, uptime, cmd));
        table.setPrefSize(1000, 420);
        return table;
    }
}
