package dev.loupe.protocol;

/** A request the agent could not carry out; the message is one line saying what and, where it helps, what to do. */
public class AgentException extends Exception {
    public AgentException(String message) {
        super(message);
    }

    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }
}
