package dev.loupe.agent.capture;

/** A capture failed; the message says what and what to do. The target is running when this is thrown. */
public final class CaptureException extends Exception {
    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
