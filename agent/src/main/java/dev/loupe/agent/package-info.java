/**
 * The agent: {@link dev.loupe.agent.LocalAgent} serves the protocol's {@code Agent} service from the machine it runs
 * on. It loads and runs the programs the workstation generated and never parses DWARF itself.
 */
package dev.loupe.agent;
