package dev.loupe.app.ui;

import atlantafx.base.theme.Styles;
import dev.loupe.app.capture.Snapshotter;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

import java.util.ArrayList;
import java.util.List;

/**
 * A snapshot under way, in the window's bottom bar: the engine's phases with the current one marked, the line it
 * last said, and Cancel. Hidden when no snapshot runs.
 */
final class CaptureProgress extends HBox {
    private final List<Label> phases = new ArrayList<>();
    private final Label line = new Label();
    private final Button cancel = new Button("Cancel");
    private Snapshotter.Phase phase;

    CaptureProgress() {
        ProgressBar bar = new ProgressBar(ProgressBar.INDETERMINATE_PROGRESS);
        bar.setPrefWidth(120);
        getChildren().add(bar);
        for (Snapshotter.Phase p : Snapshotter.Phase.values()) {
            Label l = new Label(p.title());
            l.getStyleClass().add(Styles.TEXT_MUTED);
            phases.add(l);
            getChildren().add(l);
        }
        line.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(line, Priority.ALWAYS);
        cancel.setId("capture-cancel");
        getChildren().addAll(line, cancel);
        setAlignment(Pos.CENTER_LEFT);
        setSpacing(10);
        setPadding(new Insets(4, 8, 4, 8));
        managedProperty().bind(visibleProperty());
        setVisible(false);
    }

    /** Shows the bar for a new snapshot; Cancel runs {@code onCancel}. */
    void start(String what, Runnable onCancel) {
        mark(null);
        line.setText(what);
        cancel.setDisable(false);
        cancel.setOnAction(e -> {
            cancel.setDisable(true);
            line.setText("cancelling at the next step ...");
            onCancel.run();
        });
        setVisible(true);
    }

    /** The engine's step: its phase marked, its line shown (unless a cancel is under way). */
    void show(Snapshotter.Progress step) {
        mark(step.phase());
        if (!cancel.isDisabled()) {
            line.setText(step.line());
        }
    }

    /** Marks {@code current} as the phase under way (none: null). */
    private void mark(Snapshotter.Phase current) {
        phase = current;
        for (Snapshotter.Phase p : Snapshotter.Phase.values()) {
            Label l = phases.get(p.ordinal());
            l.getStyleClass().setAll("label", p == current ? Styles.TEXT_BOLD : Styles.TEXT_MUTED);
            if (p == current) {
                l.getStyleClass().add(Styles.ACCENT);
            }
        }
    }

    /** The phase last shown, or null before the first step. */
    Snapshotter.Phase phase() {
        return phase;
    }

    void finish() {
        setVisible(false);
    }

    Button cancelButton() {
        return cancel;
    }
}
