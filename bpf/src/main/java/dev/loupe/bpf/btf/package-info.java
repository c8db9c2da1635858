/**
 * A reader for the BPF Type Format as the kernel exposes it in {@code /sys/kernel/btf/vmlinux}: type ids by name
 * and kind, struct member offsets, bitfields; see the kernel's
 * <a href="https://docs.kernel.org/bpf/btf.html">BTF documentation</a>.
 */
package dev.loupe.bpf.btf;
