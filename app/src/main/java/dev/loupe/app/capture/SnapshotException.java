package dev.loupe.app.capture;

/** A snapshot could not be taken; the message is one line saying what and what to do. No file was written. */
public class SnapshotException extends Exception {
    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
