package dev.loupe.app.ui;

import javafx.application.Platform;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Work handed to the JavaFX thread from another one, waited for (by the tests and the benchmarks too). */
public final class Fx {
    private Fx() {}

    /**
     * Starts JavaFX unless it runs already (a test JVM runs several windows' tests in turn); true when this call
     * started it, and so should end it.
     */
    public static boolean start() throws Exception {
        CompletableFuture<Void> started = new CompletableFuture<>();
        try {
            Platform.startup(() -> started.complete(null));
        } catch (IllegalStateException running) {
            return false;
        }
        started.get(60, TimeUnit.SECONDS);
        Platform.setImplicitExit(false);
        return true;
    }

    /** {@code r} on the JavaFX thread, waited for (within a minute). */
    public static void run(Runnable r) throws Exception {
        call(() -> {
            r.run();
            return null;
        });
    }

    /** {@code c} on the JavaFX thread, its result or what it threw (within a minute). */
    public static <T> T call(Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }
}
