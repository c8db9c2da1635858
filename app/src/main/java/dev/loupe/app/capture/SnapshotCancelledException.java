package dev.loupe.app.capture;

/** A snapshot stopped because it was asked to ({@link Snapshotter#cancel()}); nothing was written. */
public final class SnapshotCancelledException extends SnapshotException {
    public SnapshotCancelledException(String message) {
        super(message);
    }
}
