/**
 * {@code loupe doctor}: checks that this host can take snapshots by trying each kernel feature for real (a BPF
 * program, a ring buffer, a uprobe, a sleepable task iterator, ptrace), never by comparing version numbers; see
 * the kernel's <a href="https://docs.kernel.org/bpf/">BPF documentation</a>.
 */
package dev.loupe.agent.doctor;
