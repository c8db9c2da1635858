package dev.loupe.app.ui;

import dev.loupe.app.store.SnapshotFile;
import dev.loupe.probegen.spec.SpecReader;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.TabPane;
import javafx.scene.control.TreeItem;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders the workstation's main views of a snapshot file to PNG at 1440x900, on JavaFX's headless platform: what
 * docs/screenshots/ shows. The window is the real one, with the file opened as a user would open it.
 */
public final class Screenshots {
    private Screenshots() {}

    /** Writes flame-graph.png, grouped-stacks.png, tables.png and spec-editor.png of {@code snapshot} into {@code dir}; returns them. */
    public static List<Path> render(Path snapshot, Path dir) throws Exception {
        System.setProperty("glass.platform", "Headless");
        System.setProperty("prism.order", "sw");
        Files.createDirectories(dir);
        // When JavaFX runs already (the tests' JVM), render in it and leave it running.
        boolean ours = Fx.start();
        Stage[] stage = new Stage[1];
        try {
            Workstation w = Fx.call(() -> new Workstation(stage[0] = new Stage()));
            var tab = w.open(snapshot).get(120, TimeUnit.SECONDS);
            SnapshotView view = Fx.call(() -> (SnapshotView) tab.getContent());
            TabPane views = Fx.call(() -> (TabPane) view.getCenter());
            // What the other views show is read off the JavaFX thread: in the detail, the first goroutine with
            // captured values (of the largest group with one; else of the largest group), the goroutines by state in
            // the tables' grid.
            Fx.call(() -> {
                List<TreeItem<GroupedStacksView.Row>> groups = view.groupedStacks().getRoot().getChildren();
                TreeItem<GroupedStacksView.Row> group = groups.getFirst();
                Long goid = group.getValue().group().goids().getFirst();
                for (TreeItem<GroupedStacksView.Row> g : groups) {
                    var withData = g.getValue().group().goids().stream()
                            .filter(id -> view.withData().contains(List.of(g.getValue().group().processId(), id))).findFirst();
                    if (withData.isPresent()) {
                        group = g;
                        goid = withData.get();
                        break;
                    }
                }
                group.setExpanded(true);
                Long shown = goid;
                view.groupedStacks().getSelectionModel().select(group.getChildren().stream()
                        .filter(c -> shown.equals(c.getValue().goid())).findFirst().orElseThrow());
                view.groupedStacks().scrollTo(view.groupedStacks().getSelectionModel().getSelectedIndex());
                view.tables().setSql("SELECT status, wait_reason, count(*) AS goroutines FROM goroutines GROUP BY 1, 2 ORDER BY 3 DESC");
                return view.tables().run();
            }).get(60, TimeUnit.SECONDS);
            Fx.call(() -> view.detail().whenShown(g -> true)).get(60, TimeUnit.SECONDS);
            List<Path> shots = new ArrayList<>(List.of(shoot(views.getScene(), () -> views.getSelectionModel().select(0), dir.resolve("flame-graph.png")),
                    shoot(views.getScene(), () -> views.getSelectionModel().select(1), dir.resolve("grouped-stacks.png")),
                    shoot(views.getScene(), () -> views.getSelectionModel().select(2), dir.resolve("tables.png"))));
            shots.add(specEditor(w, snapshot, dir.resolve("spec-editor.png")));
            return shots;
        } finally {
            if (stage[0] != null) {
                Fx.run(stage[0]::close);
            }
            if (ours) {
                Platform.exit();
            }
        }
    }

    /**
     * The spec editor on the snapshot's own spec (a sample of its first process's functions when it was taken without
     * one), checked against that process's binary when it is on this machine, its first function's variables listed.
     */
    private static Path specEditor(Workstation w, Path snapshot, Path to) throws Exception {
        String spec;
        Path exe;
        try (SnapshotFile file = SnapshotFile.open(snapshot)) {
            Object text = file.query("SELECT spec FROM snapshot", 1).rows().getFirst().getFirst();
            spec = text instanceof String t && !t.isBlank() ? t : "functions:\n  - function: main.main\n";
            exe = Path.of((String) file.query("SELECT exe_path FROM processes ORDER BY process_id", 1).rows().getFirst().getFirst());
        }
        SpecEditor editor = Fx.call(() -> w.editSpec(null));
        try {
            Fx.run(() -> editor.stage().setWidth(1440));
            Fx.run(() -> editor.stage().setHeight(900));
            Fx.run(() -> editor.code().replaceText(spec));
            String function = SpecReader.parse(spec, "spec.yaml").functions().getFirst().function();
            if (Files.isRegularFile(exe)) {
                Fx.call(() -> editor.setBinary(exe)).get(120, TimeUnit.SECONDS);
                Fx.call(() -> editor.search(function)).get(60, TimeUnit.SECONDS);
                Fx.call(() -> editor.choose(function)).get(60, TimeUnit.SECONDS);
            }
            Fx.call(() -> editor.checkedWhen(spec)).get(60, TimeUnit.SECONDS);
            return shoot(editor.stage().getScene(), () -> { }, to);
        } finally {
            Fx.run(editor.stage()::close);
        }
    }

    private static Path shoot(Scene scene, Runnable show, Path to) throws Exception {
        WritableImage image = Fx.call(() -> {
            show.run();
            scene.getRoot().applyCss();
            scene.getRoot().layout();
            return scene.snapshot(null);
        });
        BufferedImage png = new BufferedImage((int) image.getWidth(), (int) image.getHeight(), BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                png.setRGB(x, y, image.getPixelReader().getArgb(x, y));
            }
        }
        try {
            ImageIO.write(png, "png", to.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + to + ": " + e.getMessage(), e);
        }
        return to;
    }
}
