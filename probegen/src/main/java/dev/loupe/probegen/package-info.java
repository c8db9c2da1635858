/**
 * Generates the eBPF programs of a snapshot from a binary's runtime layout and the target kernel's facts
 * (https://docs.kernel.org/bpf/standardization/instruction-set.html).
 */
package dev.loupe.probegen;
