package dev.loupe.app.ui;

import atlantafx.base.theme.Styles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.app.store.SnapshotFile.GoroutineDetail;
import dev.loupe.decoder.Frame;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.value.ChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * One goroutine: its frames, innermost first, inlined ones marked, and under each frame with captured data its
 * values as a tree (JSON objects and arrays expand); its stack can be copied as text.
 */
final class GoroutineDetailView extends BorderPane {
    /** Made when a first value is shown: in a fresh JVM making a mapper takes long, and a first paint need not wait for it. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** The most fields or elements a captured value may have to be shown open. */
    private static final int OPEN_UP_TO = 16;

    private final Label title = new Label("Select a goroutine");
    private final TreeView<String> tree = new TreeView<>();
    private final ObjectProperty<GoroutineDetail> shown = new SimpleObjectProperty<>();

    GoroutineDetailView() {
        Button copy = new Button("Copy stack");
        copy.setOnAction(e -> {
            if (shown.get() != null) {
                ClipboardContent c = new ClipboardContent();
                c.putString(stackText(shown.get()));
                Clipboard.getSystemClipboard().setContent(c);
            }
        });
        HBox top = new HBox(8, title, copy);
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(6, 8, 6, 8));
        tree.setShowRoot(false);
        tree.getStyleClass().addAll("code", Styles.DENSE);
        setTop(top);
        setCenter(tree);
    }

    void show(GoroutineDetail g) {
        shown.set(g);
        title.setText("goroutine " + g.goid() + " [" + (g.waitReason() == null || g.waitReason().isEmpty() ? g.status() : g.waitReason()) + "]");
        TreeItem<String> root = new TreeItem<>();
        for (int depth = 0; depth < g.frames().size(); depth++) {
            Frame f = g.frames().get(depth);
            TreeItem<String> frame = new TreeItem<>(f.function() + (f.inlined() ? "  (inlined)" : "") + "    " + f.file() + ":" + f.line());
            Map<String, Object> values = g.captured().get(depth);
            if (values != null) {
                values.forEach((column, value) -> {
                    TreeItem<String> item = value(column, value);
                    // A value open at its first level, unless that is a long list.
                    item.setExpanded(item.getChildren().size() <= OPEN_UP_TO);
                    frame.getChildren().add(item);
                });
                frame.setExpanded(true);
            }
            root.getChildren().add(frame);
        }
        tree.setRoot(root);
    }

    GoroutineDetail shown() {
        return shown.get();
    }

    /**
     * Completes once the goroutine shown is one {@code which} accepts (at once if it is already); on the JavaFX
     * thread. The detail of a goroutine selected elsewhere is read off it, so it comes a moment later.
     */
    CompletableFuture<GoroutineDetail> whenShown(Predicate<GoroutineDetail> which) {
        CompletableFuture<GoroutineDetail> done = new CompletableFuture<>();
        ChangeListener<GoroutineDetail> listener = (o, was, is) -> {
            if (is != null && which.test(is)) {
                done.complete(is);
            }
        };
        shown.addListener(listener);
        done.whenComplete((g, t) -> shown.removeListener(listener));
        listener.changed(shown, null, shown.get());
        return done;
    }

    TreeView<String> tree() {
        return tree;
    }

    /** Go's traceback shape: the header, then per frame its function and, indented, its file:line. */
    static String stackText(GoroutineDetail g) {
        StringBuilder out = new StringBuilder("goroutine " + g.goid() + " ["
                + (g.waitReason() == null || g.waitReason().isEmpty() ? g.status() : g.waitReason()) + "]:\n");
        for (Frame f : g.frames()) {
            out.append(f.function()).append(f.inlined() ? "(...)  (inlined)" : "(...)").append('\n')
                    .append('\t').append(f.file()).append(':').append(f.line()).append('\n');
        }
        return out.toString();
    }

    /** A captured value: a leaf for a scalar, a subtree for JSON text holding an object or array. */
    private static TreeItem<String> value(String name, Object value) {
        if (value instanceof String s && (s.startsWith("{") || s.startsWith("["))) {
            try {
                return node(name, Json.MAPPER.readTree(s));
            } catch (Exception notJson) {
                // A Go string that merely starts like JSON: shown as the text it is.
            }
        }
        return new TreeItem<>(name + " = " + (value == null ? "NULL (not available at this pc)" : value));
    }

    private static TreeItem<String> node(String name, JsonNode v) {
        if (!v.isContainerNode()) {
            return new TreeItem<>(name + " = " + v);
        }
        TreeItem<String> item = new TreeItem<>(name + (v.isArray() ? " [" + v.size() + "]" : ""));
        if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                item.getChildren().add(node("[" + i + "]", v.get(i)));
            }
        } else {
            v.properties().forEach(e -> item.getChildren().add(node(e.getKey(), e.getValue())));
        }
        return item;
    }
}
