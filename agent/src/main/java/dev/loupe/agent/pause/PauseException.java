package dev.loupe.agent.pause;

/** The target could not be paused, or was resumed early; the message says why and what to do. */
public final class PauseException extends Exception {
    /** Why, for callers that answer differently to each. */
    public enum Reason {
        /** The process does not exist or exited. */
        GONE,
        /** ptrace was refused. */
        PERMISSION,
        /** The pause budget ran out and the process was resumed early. */
        BUDGET,
        /** Anything else. */
        FAILED
    }

    private final Reason reason;

    public PauseException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PauseException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
