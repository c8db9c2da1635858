package dev.loupe.app.ui;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import dev.loupe.agent.LocalAgent;
import dev.loupe.app.capture.SnapshotException;
import dev.loupe.app.capture.Snapshotter;
import dev.loupe.app.export.Export;
import dev.loupe.app.store.SnapshotFile;
import dev.loupe.app.store.StoreException;
import dev.loupe.probegen.spec.Spec;
import dev.loupe.probegen.spec.SpecException;
import dev.loupe.probegen.spec.SpecReader;
import javafx.application.Application;
import javafx.application.ColorScheme;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TabPane;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The workstation's window: a tab per open snapshot (its goroutines as a flame graph, grouped by stack with each
 * goroutine's detail, its tables with an SQL console), snapshots taken of this machine's Go processes, and exports.
 * Files are read off the JavaFX thread; what goes wrong is one line in the status bar, and the window goes on.
 */
public final class Workstation {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
    private static final String EMPTY = "Open a snapshot: File \u203a Open (Ctrl+O), drop a file here, or ./loupe FILE.db;"
            + " or take one: Capture \u203a Capture a snapshot (Ctrl+Shift+S)";

    private final Stage stage;
    /** Where the snapshots taken here are kept. */
    private final Path history;
    private final Snapshotter.Options options;
    private final TabPane tabs = new TabPane();
    /** The open file of each snapshot's tab. */
    private final Map<Tab, OpenSnapshot> files = new HashMap<>();
    private final Label status = new Label();
    private final CaptureProgress progress = new CaptureProgress();
    private final TargetsView targets;
    /** The spec editors open. */
    private final List<SpecEditor> editors = new ArrayList<>();
    private final HistoryView snapshots;
    /** The snapshot being taken, done when none is. */
    private CompletableFuture<Tab> capturing = CompletableFuture.completedFuture(null);

    /** Builds the window on {@code stage} and shows it, keeping snapshots in the user's data directory; on the JavaFX thread. */
    public Workstation(Stage stage) {
        this(stage, defaultHistory());
    }

    /** The same, keeping the snapshots it takes in {@code history}. */
    public Workstation(Stage stage, Path history) {
        this(stage, history, Snapshotter.Options.DEFAULT);
    }

    /** The same, taking snapshots with {@code options} (a pause budget for a loaded test machine). */
    Workstation(Stage stage, Path history, Snapshotter.Options options) {
        this.stage = stage;
        this.history = history;
        this.options = options;
        SnapshotFile.preload();
        followColorScheme();
        Label empty = new Label(EMPTY);
        StackPane center = new StackPane(empty, tabs);
        empty.visibleProperty().bind(Bindings.isEmpty(tabs.getTabs()));
        targets = new TargetsView(this::capture);
        snapshots = new HistoryView(history, new HistoryView.Window() {
            @Override
            public void open(Path file) {
                Workstation.this.open(file);
            }

            @Override
            public void closeTabsOf(Path file) {
                showing(file).forEach(Workstation.this::close);
            }

            @Override
            public void renamed(Path from, Path to) {
                for (Tab t : showing(from)) {
                    files.get(t).moved(to);
                    t.setText(to.getFileName().toString());
                    t.setTooltip(new Tooltip(to.toString()));
                }
            }

            @Override
            public void say(String line) {
                status.setText(line);
            }
        });
        TitledPane targetsPane = new TitledPane("Targets: Go processes on this machine", targets);
        TitledPane historyPane = new TitledPane("Snapshots taken here", snapshots);
        for (TitledPane t : List.of(targetsPane, historyPane)) {
            t.setCollapsible(false);
            t.setMaxHeight(Double.MAX_VALUE);
            VBox.setVgrow(t, Priority.ALWAYS);
        }
        SplitPane sidebar = new SplitPane(targetsPane, historyPane);
        sidebar.setOrientation(Orientation.VERTICAL);
        sidebar.setDividerPositions(0.55);
        SplitPane main = new SplitPane(sidebar, center);
        main.setDividerPositions(0.3);
        SplitPane.setResizableWithParent(sidebar, false);
        status.setId("status");
        status.setPadding(new Insets(4, 8, 4, 8));
        BorderPane root = new BorderPane(main, menus(), null, new VBox(progress, status), null);
        Scene scene = new Scene(root, 1440, 900);
        scene.getStylesheets().add(asset("workstation.css").toExternalForm());
        sidebar.getStyleClass().add("sidebar");
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
        // The spec editors go with the window, each asking first about its unsaved changes.
        stage.setOnCloseRequest(e -> {
            if (!closeEditors()) {
                e.consume();
            }
        });
        stage.setTitle("Loupe");
        for (int size : new int[] {32, 64, 256}) {
            stage.getIcons().add(new Image(asset("loupe-" + size + ".png").toExternalForm()));
        }
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
    private record Opened(SnapshotFile file, List<SnapshotFile.StackGroup> groups, Set<List<Long>> withData) {}

    private void open(Path path, CompletableFuture<Tab> done) {
        Task<Opened> read = new Task<>() {
            @Override
            protected Opened call() {
                SnapshotFile file = SnapshotFile.open(path);
                try {
                    return new Opened(file, file.stackGroups(), file.goroutinesWithData());
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
            SnapshotView views = new SnapshotView(snapshot, o.groups(), o.withData());
            Tab tab = new Tab(path.getFileName().toString(), views);
            tab.setTooltip(new Tooltip(path.toString()));
            files.put(tab, snapshot);
            tab.setOnClosed(x -> files.remove(tab).close());
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

    /** The tabs showing {@code file}. */
    private List<Tab> showing(Path file) {
        return files.entrySet().stream().filter(e -> e.getValue().path().equals(file)).map(Map.Entry::getKey).toList();
    }

    /** The file {@code tab} shows; on the JavaFX thread. */
    Path pathOf(Tab tab) {
        return files.get(tab).path();
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
            List<File> chosen = chooser.showOpenMultipleDialog(stage);
            if (chosen != null) {
                chosen.forEach(f -> open(f.toPath()));
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
        MenuItem copy = new MenuItem("Snapshot file...");
        copy.setOnAction(e -> saveAs("Save a copy of the snapshot", "*.db", to -> saveCopy(selected(), to)));
        MenuItem pprof = new MenuItem("pprof goroutine profile...");
        pprof.setOnAction(e -> saveAs("Export a pprof profile", "*.pb.gz", to -> export(selected(), Export.Format.pprof, to)));
        MenuItem folded = new MenuItem("Folded stacks...");
        folded.setOnAction(e -> saveAs("Export folded stacks", "*.txt", to -> export(selected(), Export.Format.folded, to)));
        Menu export = new Menu("Export", null, copy, pprof, folded);
        export.disableProperty().bind(Bindings.isEmpty(tabs.getTabs()));
        MenuItem quit = new MenuItem("Quit");
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quit.setOnAction(e -> {
            if (closeEditors()) {
                stage.close();
            }
        });
        MenuItem capture = new MenuItem("Capture the selected processes");
        capture.setAccelerator(KeyCombination.keyCombination("Shortcut+Shift+S"));
        capture.setOnAction(e -> captureSelected());
        return new MenuBar(new Menu("File", null, open, close, export, quit), viewMenu(), new Menu("Capture", null, capture), specMenu());
    }

    /** Keys to the open snapshot's views and filters, and to the targets. */
    private Menu viewMenu() {
        List<MenuItem> items = new ArrayList<>();
        String[] names = {"Flame graph", "Grouped stacks", "Tables"};
        for (int i = 0; i < names.length; i++) {
            int index = i;
            MenuItem item = new MenuItem(names[i]);
            item.setAccelerator(KeyCombination.keyCombination("Shortcut+" + (i + 1)));
            item.setOnAction(e -> shownSnapshot().ifPresent(v -> v.showView(index)));
            items.add(item);
        }
        MenuItem filter = new MenuItem("Filter");
        filter.setAccelerator(KeyCombination.keyCombination("Shortcut+F"));
        filter.setOnAction(e -> shownSnapshot().ifPresent(SnapshotView::focusFilter));
        items.add(filter);
        items.forEach(item -> item.disableProperty().bind(Bindings.isEmpty(tabs.getTabs())));
        MenuItem refresh = new MenuItem("Refresh targets");
        refresh.setAccelerator(KeyCombination.keyCombination("F5"));
        refresh.setOnAction(e -> targets.refresh());
        items.add(new SeparatorMenuItem());
        items.add(refresh);
        return new Menu("View", null, items.toArray(MenuItem[]::new));
    }

    /** The views of the snapshot whose tab is shown. */
    private Optional<SnapshotView> shownSnapshot() {
        Tab t = selected();
        return t != null && t.getContent() instanceof SnapshotView v ? Optional.of(v) : Optional.empty();
    }

    /** Closes every spec editor; false when one keeps its unsaved changes, and so stays with the window. */
    private boolean closeEditors() {
        for (SpecEditor editor : List.copyOf(editors)) {
            if (!editor.close()) {
                return false;
            }
        }
        return true;
    }

    /** A new spec, or one opened, in an editor of its own. */
    private Menu specMenu() {
        MenuItem newSpec = new MenuItem("New spec");
        newSpec.setAccelerator(KeyCombination.keyCombination("Shortcut+E"));
        newSpec.setOnAction(e -> editSpec(null));
        MenuItem openSpec = new MenuItem("Open spec...");
        openSpec.setAccelerator(KeyCombination.keyCombination("Shortcut+Shift+E"));
        openSpec.setOnAction(e -> {
            File chosen = SpecEditor.specChooser("Open a spec").showOpenDialog(stage);
            if (chosen != null) {
                editSpec(chosen.toPath());
            }
        });
        return new Menu("Spec", null, newSpec, openSpec);
    }

    /**
     * Opens a spec editor on {@code file} (null for a new spec), checking it against the binary of the process selected
     * under Targets, if any; its "Use for capture" sets the spec of the next capture. On the JavaFX thread.
     */
    SpecEditor editSpec(Path file) {
        SpecEditor editor = new SpecEditor(targets.selectedBinary().orElse(null), spec -> {
            targets.setSpec(spec);
            status.setText("The next capture uses the spec " + spec);
        });
        editor.stage().getIcons().setAll(stage.getIcons());
        editors.add(editor);
        editor.stage().addEventHandler(WindowEvent.WINDOW_HIDDEN, e -> editors.remove(editor));
        if (file != null) {
            editor.open(file);
        }
        return editor;
    }

    private Tab selected() {
        return tabs.getSelectionModel().getSelectedItem();
    }

    /** Asks where to save, then saves there. */
    private void saveAs(String title, String pattern, Consumer<Path> save) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(pattern, pattern));
        File to = chooser.showSaveDialog(stage);
        if (to != null) {
            save.accept(to.toPath());
        }
    }

    /** Writes {@code tab}'s snapshot's stacks to {@code to} in {@code format}, off the JavaFX thread. */
    public CompletableFuture<Path> export(Tab tab, Export.Format format, Path to) {
        return report(files.get(tab).read(f -> {
            try {
                Export.write(f, format, to);
                return to;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** Copies {@code tab}'s snapshot file to {@code to}, to share it. */
    public CompletableFuture<Path> saveCopy(Tab tab, Path to) {
        OpenSnapshot snapshot = files.get(tab);
        return report(snapshot.read(f -> {
            try {
                return Files.copy(snapshot.path(), to, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /**
     * Says in the status bar where a file was written, or why not; on the JavaFX thread even when the write is done
     * before this is called (then a plain whenComplete would run on the caller's thread).
     */
    private CompletableFuture<Path> report(CompletableFuture<Path> written) {
        return written.whenCompleteAsync((to, t) -> {
            Throwable why = t instanceof UncheckedIOException u ? u.getCause() : t;
            status.setText(t == null ? "Wrote " + to : "Cannot write there: " + why.getClass().getSimpleName() + " " + why.getMessage());
        }, Platform::runLater);
    }

    /** Takes the processes selected under Targets; with none selected, says so and puts the focus there. */
    private void captureSelected() {
        List<Integer> pids = targets.selectedPids();
        if (pids.isEmpty()) {
            status.setText("Select the Go processes to take under Targets (Ctrl+click for several), then Capture");
            targets.focusTable();
            return;
        }
        capture(pids, targets.spec().orElse(null));
    }

    /**
     * Takes a snapshot of {@code pids} into the history directory, capturing what the spec in {@code specFile} asks for
     * (null for stacks only), off the JavaFX thread, its phases in the progress bar with Cancel; then opens it. The
     * future completes once its tab is there, or exceptionally once the status bar says why not (the engine's one
     * line: missing privileges, a process gone, a spec that does not fit, cancelled ...). On the JavaFX thread.
     */
    public CompletableFuture<Tab> capture(List<Integer> pids, Path specFile) {
        if (!capturing.isDone()) {
            status.setText("A snapshot is already being taken: wait for it, or cancel it");
            return CompletableFuture.failedFuture(new IllegalStateException(status.getText()));
        }
        CompletableFuture<Tab> done = new CompletableFuture<>();
        capturing = done;
        Path out = history.resolve("snapshot-" + STAMP.format(LocalDateTime.now()) + ".db");
        Snapshotter snapshotter = new Snapshotter(new LocalAgent(), options,
                step -> Platform.runLater(() -> progress.show(step)));
        Task<Path> take = new Task<>() {
            @Override
            protected Path call() throws Exception {
                Spec spec = null;
                if (specFile != null) {
                    try {
                        spec = SpecReader.read(specFile);
                    } catch (SpecException e) {
                        throw new SnapshotException(e.getMessage());
                    }
                }
                Files.createDirectories(history);
                snapshotter.take(pids, out, spec);
                return out;
            }
        };
        take.setOnSucceeded(e -> {
            progress.finish();
            targets.setCapturing(false);
            snapshots.refresh();
            open(take.getValue()).whenComplete((tab, t) -> {
                if (t == null) {
                    done.complete(tab);
                } else {
                    done.completeExceptionally(t);
                }
            });
        });
        take.setOnFailed(e -> {
            progress.finish();
            targets.setCapturing(false);
            Throwable t = take.getException();
            status.setText(t instanceof SnapshotException ? t.getMessage() : "The snapshot failed: " + t);
            done.completeExceptionally(t);
        });
        String what = "Capturing " + pids.size() + (pids.size() == 1 ? " process" : " processes") + (specFile == null ? "" : " with " + specFile.getFileName());
        status.setText(what + " ...");
        targets.setCapturing(true);
        progress.start(what, snapshotter::cancel);
        Thread.ofVirtual().name("workstation-capture").start(take);
        return done;
    }

    /** The snapshot being taken (the last one taken when none is); on the JavaFX thread. */
    CompletableFuture<Tab> capturing() {
        return capturing;
    }

    /** The capture progress bar, for tests. */
    CaptureProgress captureProgress() {
        return progress;
    }

    /** The Targets panel, for tests. */
    TargetsView targets() {
        return targets;
    }

    /** The snapshot history panel, for tests. */
    HistoryView snapshots() {
        return snapshots;
    }

    /** A file of ui-assets/ (CSS, icons), which the build puts on the class path. */
    static URL asset(String name) {
        return Objects.requireNonNull(Workstation.class.getResource("/dev/loupe/ui/" + name), "ui-assets/ lacks " + name);
    }

    /** $XDG_DATA_HOME/loupe/snapshots, else ~/.local/share/loupe/snapshots. */
    private static Path defaultHistory() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path data = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return data.resolve("loupe").resolve("snapshots");
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
