package dev.loupe.app.ui;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import dev.loupe.app.store.SnapshotFile;
import dev.loupe.app.store.StoreException;
import javafx.application.Application;
import javafx.application.ColorScheme;
import javafx.application.Platform;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import javafx.stage.FileChooser;
import javafx.stage.Stage;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The workstation's window: a tab per open snapshot, each showing its goroutines as a flame graph and grouped by
 * stack. Files are read
 * on a background thread; what goes wrong is one line in the status bar, and the window goes on working.
 */
public final class Workstation {
    private static final String EMPTY = "Open a snapshot: File \u203a Open (Ctrl+O), drop a file here, or ./loupe FILE.db";

    private final Stage stage;
    private final TabPane tabs = new TabPane();
    private final Label status = new Label();

    /** Builds the window on {@code stage} and shows it; on the JavaFX thread. */
    public Workstation(Stage stage) {
        this.stage = stage;
        followColorScheme();
        Label empty = new Label(EMPTY);
        StackPane center = new StackPane(empty, tabs);
        empty.visibleProperty().bind(javafx.beans.binding.Bindings.isEmpty(tabs.getTabs()));
        BorderPane root = new BorderPane(center, menus(), null, status, null);
        status.setId("status");
        status.setPadding(new Insets(4, 8, 4, 8));
        Scene scene = new Scene(root, 1440, 900);
        scene.setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) {
                e.acceptTransferModes(TransferMode.COPY);
            }
            e.consume();
        });
        scene.setOnDragDropped(e -> {
            e.getDragboard().getFiles().forEach(f -> open(f.toPath()));
            e.setDropCompleted(e.getDragboard().hasFiles());
            e.consume();
        });
        // Closing the window closes its files.
        stage.setOnHidden(e -> List.copyOf(tabs.getTabs()).forEach(this::close));
        stage.setTitle("Loupe");
        stage.setScene(scene);
        stage.show();
    }

    /**
     * Opens the snapshot at {@code path} in a new tab, reading it off the JavaFX thread; from any thread. The future
     * completes on the JavaFX thread once the tab is there, or exceptionally once the status bar says why it is not.
     */
    public CompletableFuture<Tab> open(Path path) {
        CompletableFuture<Tab> done = new CompletableFuture<>();
        if (Platform.isFxApplicationThread()) {
            open(path, done);
        } else {
            Platform.runLater(() -> open(path, done));
        }
        return done;
    }

    /** What a tab shows of a file, read off the JavaFX thread; the file stays open for the tab's queries. */
    private record Opened(SnapshotFile file, List<SnapshotFile.StackGroup> groups, List<SnapshotFile.TableInfo> tables) {}

    private void open(Path path, CompletableFuture<Tab> done) {
        Task<Opened> read = new Task<>() {
            @Override
            protected Opened call() {
                SnapshotFile file = SnapshotFile.open(path);
                try {
                    return new Opened(file, file.stackGroups(), file.tables());
                } catch (RuntimeException e) {
                    file.close();
                    throw e;
                }
            }
        };
        status.setText("Opening " + path + " ...");
        read.setOnSucceeded(e -> {
            Opened o = read.getValue();
            OpenSnapshot snapshot = new OpenSnapshot(o.file());
            GroupedStacksView stacks = new GroupedStacksView(o.groups());
            GoroutineDetailView detail = new GoroutineDetailView();
            stacks.selectedGoroutine().addListener((x, was, is) -> {
                if (is != null) {
                    snapshot.read(f -> f.goroutine(is[0], is[1])).thenAccept(g -> g.ifPresent(detail::show));
                }
            });
            SplitPane grouped = new SplitPane(stacks, detail);
            grouped.setDividerPositions(0.6);
            TabPane views = new TabPane(new Tab("Flame graph", new FlameGraphView(FlameTree.of(o.groups()))),
                    new Tab("Grouped stacks", grouped), new Tab("Tables", new TablesView(snapshot, o.tables())));
            views.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
            Tab tab = new Tab(path.getFileName().toString(), views);
            tab.setTooltip(new javafx.scene.control.Tooltip(path.toString()));
            tab.setOnClosed(x -> snapshot.close());
            tabs.getTabs().add(tab);
            tabs.getSelectionModel().select(tab);
            int goroutines = o.groups().stream().mapToInt(SnapshotFile.StackGroup::count).sum();
            status.setText(path.getFileName() + ": " + goroutines + " goroutines in " + o.groups().size() + " stacks");
            done.complete(tab);
        });
        read.setOnFailed(e -> {
            Throwable t = read.getException();
            // A StoreException says what is wrong with the file in one line; anything else is named by its kind.
            status.setText(t instanceof StoreException ? t.getMessage() : "Cannot open " + path + ": " + t);
            done.completeExceptionally(t);
        });
        // A thread per file, ending with its read: nothing outlives the window.
        Thread.ofVirtual().name("workstation-open").start(read);
    }

    /** Closes a snapshot's tab and its file (its own close button does the same through onClosed). */
    private void close(Tab t) {
        tabs.getTabs().remove(t);
        t.getOnClosed().handle(null);
    }

    /** The status bar's text: what was opened, or what went wrong; on the JavaFX thread. */
    public String status() {
        return status.getText();
    }

    /** The open snapshots' tabs; on the JavaFX thread. */
    public List<Tab> tabs() {
        return List.copyOf(tabs.getTabs());
    }

    private MenuBar menus() {
        MenuItem open = new MenuItem("Open...");
        open.setAccelerator(KeyCombination.keyCombination("Shortcut+O"));
        open.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Open a snapshot");
            chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Loupe snapshots", "*.db"),
                    new FileChooser.ExtensionFilter("All files", "*"));
            List<File> files = chooser.showOpenMultipleDialog(stage);
            if (files != null) {
                files.forEach(f -> open(f.toPath()));
            }
        });
        MenuItem close = new MenuItem("Close");
        close.setAccelerator(KeyCombination.keyCombination("Shortcut+W"));
        close.setOnAction(e -> {
            Tab t = tabs.getSelectionModel().getSelectedItem();
            if (t != null) {
                close(t);
            }
        });
        MenuItem quit = new MenuItem("Quit");
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quit.setOnAction(e -> stage.close());
        return new MenuBar(new Menu("File", null, open, close, quit));
    }

    /** AtlantaFX's Primer theme, light or dark as the system's colour scheme is, following it when it changes. */
    private static void followColorScheme() {
        var preferences = Platform.getPreferences();
        Runnable apply = () -> Application.setUserAgentStylesheet(preferences.getColorScheme() == ColorScheme.DARK
                ? new PrimerDark().getUserAgentStylesheet() : new PrimerLight().getUserAgentStylesheet());
        apply.run();
        preferences.colorSchemeProperty().addListener((o, was, is) -> apply.run());
    }

    /** The JavaFX application {@code ./loupe} starts: its parameters are files to open. */
    public static final class App extends Application {
        @Override
        public void start(Stage stage) {
            Workstation w = new Workstation(stage);
            getParameters().getRaw().forEach(f -> w.open(Path.of(f)));
        }
    }

    /**
     * Runs the workstation until its window closes, opening {@code files}; without a display, one line that says so
     * and exit status 1.
     */
    public static int run(List<String> files) {
        boolean headless = "Headless".equals(System.getProperty("glass.platform"));
        if (!headless && System.getenv("DISPLAY") == null && System.getenv("WAYLAND_DISPLAY") == null) {
            System.err.println("loupe: no display to open the workstation on (neither DISPLAY nor WAYLAND_DISPLAY is set);"
                    + " run it in a desktop session, or use the CLI: ./loupe --help");
            return 1;
        }
        Application.launch(App.class, files.toArray(String[]::new));
        return 0;
    }
}
