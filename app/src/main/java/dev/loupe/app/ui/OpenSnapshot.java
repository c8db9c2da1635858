package dev.loupe.app.ui;

import dev.loupe.app.store.SnapshotFile;
import javafx.application.Platform;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A snapshot file open in a tab: every read of it (queries, a goroutine's detail) runs in turn on one thread of its
 * own, never on the JavaFX thread, and its result is handed back on the JavaFX thread.
 */
final class OpenSnapshot implements AutoCloseable {
    private final SnapshotFile file;
    /** Where the file is now: a rename moves it while it stays open (Linux reads on through the open descriptor). */
    private volatile Path path;
    private final ExecutorService reads = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("workstation-read").factory());

    OpenSnapshot(SnapshotFile file) {
        this.file = file;
        this.path = file.path();
    }

    /** The file's path. */
    Path path() {
        return path;
    }

    /** The file was renamed to {@code to}. */
    void moved(Path to) {
        path = to;
    }

    /** {@code read} of the file, off the JavaFX thread; the future completes on it. */
    <T> CompletableFuture<T> read(Function<SnapshotFile, T> read) {
        CompletableFuture<T> done = new CompletableFuture<>();
        reads.execute(() -> {
            try {
                T value = read.apply(file);
                Platform.runLater(() -> done.complete(value));
            } catch (RuntimeException e) {
                Platform.runLater(() -> done.completeExceptionally(e));
            }
        });
        return done;
    }

    @Override
    public void close() {
        reads.shutdownNow();
        file.close();
    }
}
