/**
 * Runs a snapshot program the workstation generated: loads it as a sleepable task iterator
 * (https://docs.kernel.org/bpf/bpf_iterators.html), pauses the target, runs it, resumes, and hands back the
 * raw records from its ring buffer with the measured pause.
 */
package dev.loupe.agent.capture;
