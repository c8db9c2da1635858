/**
 * Stopping every thread of a target process for the shortest possible window with
 * {@code PTRACE_SEIZE} + {@code PTRACE_INTERRUPT} (ptrace(2), "Attaching and detaching"),
 * which the kernel undoes by itself if the agent dies at any instant.
 */
package dev.loupe.agent.pause;
