/**
 * The contract between the workstation and an agent: the protobuf messages generated from
 * {@code src/main/protobuf/loupe/agent/v1/agent.proto}, and {@link dev.loupe.protocol.AgentApi}, the service they
 * belong to as a Java interface.
 */
package dev.loupe.protocol;
