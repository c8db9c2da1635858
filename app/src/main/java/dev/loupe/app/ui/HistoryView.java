package dev.loupe.app.ui;

import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextInputDialog;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The snapshots taken here, newest first: files in the history directory. Open, rename, delete, reveal; the
 * directory is read off the JavaFX thread, and what cannot be done is said in one line.
 */
final class HistoryView extends VBox {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    /** A snapshot file of the history. */
    record Entry(Path file, Instant modified, long bytes) {}

    /** What the history asks of the window: open a file, close it first when it is to go, and say a line. */
    interface Window {
        void open(Path file);

        /** Closes the tabs showing {@code file}, before it is deleted. */
        void closeTabsOf(Path file);

        /** {@code from} was renamed to {@code to}: the tabs showing it go on, under the new name. */
        void renamed(Path from, Path to);

        void say(String line);
    }

    private final Path dir;
    private final Window window;
    private final ObservableList<Entry> entries = FXCollections.observableArrayList();
    private final ListView<Entry> list = new ListView<>(entries);

    HistoryView(Path dir, Window window) {
        this.dir = dir;
        this.window = window;
        list.setPlaceholder(new Label("The snapshots taken here are kept in\n" + dir));
        list.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(Entry e, boolean empty) {
                super.updateItem(e, empty);
                setText(empty || e == null ? null : e.file().getFileName() + "\n" + WHEN.format(e.modified()) + "  \u00b7  " + size(e.bytes()));
            }
        });
        list.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2) {
                selected().ifPresent(x -> window.open(x.file()));
            }
        });
        list.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER) {
                selected().ifPresent(x -> window.open(x.file()));
            } else if (e.getCode() == KeyCode.DELETE) {
                selected().ifPresent(this::askDelete);
            } else if (e.getCode() == KeyCode.F2) {
                selected().ifPresent(this::askRename);
            }
        });
        MenuItem open = new MenuItem("Open");
        open.setOnAction(e -> selected().ifPresent(x -> window.open(x.file())));
        MenuItem rename = new MenuItem("Rename...  (F2)");
        rename.setOnAction(e -> selected().ifPresent(this::askRename));
        MenuItem delete = new MenuItem("Delete...  (Delete)");
        delete.setOnAction(e -> selected().ifPresent(this::askDelete));
        MenuItem reveal = new MenuItem("Reveal in file manager");
        reveal.setOnAction(e -> selected().ifPresent(x -> reveal(x.file())));
        MenuItem copy = new MenuItem("Copy path");
        copy.setOnAction(e -> selected().ifPresent(x -> copyPath(x.file())));
        list.setContextMenu(new ContextMenu(open, rename, delete, reveal, copy));
        VBox.setVgrow(list, Priority.ALWAYS);
        setPadding(new Insets(6));
        getChildren().setAll(list);
        refresh();
    }

    private Optional<Entry> selected() {
        return Optional.ofNullable(list.getSelectionModel().getSelectedItem());
    }

    /** Reads the directory again, off the JavaFX thread; the future completes once the list shows it. */
    CompletableFuture<List<Entry>> refresh() {
        CompletableFuture<List<Entry>> done = new CompletableFuture<>();
        Task<List<Entry>> read = new Task<>() {
            @Override
            protected List<Entry> call() throws IOException {
                return read(dir);
            }
        };
        read.setOnSucceeded(e -> {
            entries.setAll(read.getValue());
            done.complete(read.getValue());
        });
        read.setOnFailed(e -> {
            window.say("Cannot read the snapshot history in " + dir + ": " + read.getException().getMessage());
            done.completeExceptionally(read.getException());
        });
        Thread.ofVirtual().name("workstation-history").start(read);
        return done;
    }

    /** The snapshot files of {@code dir}, newest first; none when it does not exist yet. */
    static List<Entry> read(Path dir) throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.db")) {
            for (Path f : files) {
                try {
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        out.add(new Entry(f, a.lastModifiedTime().toInstant(), a.size()));
                    }
                } catch (NoSuchFileException gone) {
                    // Deleted between the listing and its attributes: not in the history any more.
                }
            }
        }
        out.sort(Comparator.comparing(Entry::modified).reversed().thenComparing(Entry::file));
        return out;
    }

    /** The entries shown; on the JavaFX thread. */
    List<Entry> entries() {
        return List.copyOf(entries);
    }

    private void askRename(Entry e) {
        String name = e.file().getFileName().toString();
        TextInputDialog d = new TextInputDialog(name.substring(0, name.length() - ".db".length()));
        d.initOwner(getScene().getWindow());
        d.setTitle("Rename a snapshot");
        d.setHeaderText("A new name for " + name);
        d.showAndWait().ifPresent(to -> rename(e.file(), to));
    }

    /**
     * Renames {@code file} to {@code name} (".db" added when missing) in the history directory; its open tabs go
     * on under the new name. The new path, or empty when the status bar says why not.
     */
    Optional<Path> rename(Path file, String name) {
        String n = name.strip();
        if (n.isEmpty() || n.contains("/") || n.equals(".") || n.equals("..")) {
            window.say("\"" + name + "\" cannot be a snapshot's name: give a file name without '/'");
            return Optional.empty();
        }
        Path to = dir.resolve(n.endsWith(".db") ? n : n + ".db");
        if (to.equals(file)) {
            return Optional.of(file);
        }
        Optional<Path> renamed = Optional.empty();
        try {
            // Without REPLACE_EXISTING, a file of that name already there is never overwritten.
            renamed = Optional.of(Files.move(file, to));
            window.renamed(file, to);
            window.say("Renamed " + file.getFileName() + " to " + to.getFileName());
        } catch (FileAlreadyExistsException x) {
            window.say(to.getFileName() + " already exists in " + dir + ": choose another name");
        } catch (IOException x) {
            window.say("Cannot rename " + file.getFileName() + ": " + x.getMessage());
        }
        refresh();
        return renamed;
    }

    private void askDelete(Entry e) {
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Delete " + e.file().getFileName() + " (" + size(e.bytes()) + ")? It cannot be undone.",
                ButtonType.CANCEL, ButtonType.OK);
        a.initOwner(getScene().getWindow());
        a.setHeaderText("Delete a snapshot");
        a.showAndWait().filter(b -> b == ButtonType.OK).ifPresent(b -> delete(e.file()));
    }

    /** Deletes {@code file}, closing its tab first; true when it is gone. */
    boolean delete(Path file) {
        window.closeTabsOf(file);
        try {
            Files.deleteIfExists(file);
            window.say("Deleted " + file.getFileName());
            return true;
        } catch (IOException x) {
            window.say("Cannot delete " + file.getFileName() + ": " + x.getMessage());
            return false;
        } finally {
            refresh();
        }
    }

    /** Opens the directory in the desktop's file manager (xdg-open), off the JavaFX thread; the path is copied too. */
    private void reveal(Path file) {
        copyPath(file);
        Consumer<String> say = line -> Platform.runLater(() -> window.say(line));
        Thread.ofVirtual().name("workstation-reveal").start(() -> {
            try {
                Process p = new ProcessBuilder("xdg-open", file.getParent().toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                say.accept(p.waitFor() == 0 ? "Opened " + file.getParent() + " (the file's path is on the clipboard)"
                        : "The file manager did not open " + file.getParent() + "; the file's path is on the clipboard");
            } catch (IOException e) {
                say.accept("No file manager to open (xdg-open: " + e.getMessage() + "); the file's path is on the clipboard: " + file);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void copyPath(Path file) {
        ClipboardContent c = new ClipboardContent();
        c.putString(file.toString());
        Clipboard.getSystemClipboard().setContent(c);
        window.say("Copied " + file);
    }

    private static String size(long bytes) {
        return bytes < 1 << 20 ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
}
