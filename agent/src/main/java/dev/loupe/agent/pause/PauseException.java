package dev.loupe.agent.pause;

/** The target could not be paused, or was resumed early; the message says why and what to do. */
public final class PauseException extends Exception {
    public PauseException(String message) {
        super(message);
    }

    public PauseException(String message, Throwable cause) {
        super(message, cause);
    }
}
