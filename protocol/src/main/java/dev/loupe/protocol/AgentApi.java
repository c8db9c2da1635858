package dev.loupe.protocol;

/**
 * The agent as the workstation sees it: the {@code Agent} service of {@code agent.proto}, whose messages these
 * methods take and return. An agent in the same process implements it directly; a remote one sits behind gRPC
 * with the same messages, so neither side changes.
 */
public interface AgentApi {
    /** The host's name and its kernel's facts. */
    Host getHost() throws AgentException;

    /**
     * @throws AgentException when there is no such process or it cannot be inspected
     */
    Process describeProcess(ProcessRequest request) throws AgentException;

    /** Captures each process of the request in turn; a failure of one is reported in its result, not thrown. */
    CaptureResult capture(CaptureRequest request) throws AgentException;
}
