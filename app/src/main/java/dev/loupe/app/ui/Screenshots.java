package dev.loupe.app.ui;

import javafx.application.Platform;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders the workstation's main views of a snapshot file to PNG at 1440x900, on JavaFX's headless platform: what
 * docs/screenshots/ shows. The window is the real one, with the file opened as a user would open it.
 */
public final class Screenshots {
    private Screenshots() {}

    /** Writes flame-graph.png, grouped-stacks.png and tables.png of {@code snapshot} into {@code dir}; returns them. */
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
            return List.of(shoot(views, 0, dir.resolve("flame-graph.png")), shoot(views, 1, dir.resolve("grouped-stacks.png")),
                    shoot(views, 2, dir.resolve("tables.png")));
        } finally {
            if (stage[0] != null) {
                Fx.run(stage[0]::close);
            }
            if (ours) {
                Platform.exit();
            }
        }
    }

    private static Path shoot(TabPane views, int index, Path to) throws Exception {
        WritableImage image = Fx.call(() -> {
            views.getSelectionModel().select(index);
            views.getScene().getRoot().applyCss();
            views.getScene().getRoot().layout();
            return views.getScene().snapshot(null);
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
