/**
 * The agent's only door to the kernel: {@code bpf(2)}, {@code perf_event_open(2)}, {@code mmap(2)} of BPF ring
 * buffers and {@code ptrace(2)} through {@code java.lang.foreign}, each fd owned by an {@link dev.loupe.agent.internal.sys.Fd};
 * see the kernel's <a href="https://docs.kernel.org/userspace-api/ebpf/syscall.html">eBPF syscall documentation</a>.
 * Internal: only the agent calls it.
 */
package dev.loupe.agent.internal.sys;
