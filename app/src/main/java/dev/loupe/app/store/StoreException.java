package dev.loupe.app.store;

/** A snapshot file could not be written or read; the message names the file and what to do. */
public final class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
