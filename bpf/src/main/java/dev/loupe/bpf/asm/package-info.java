/**
 * The eBPF instruction set as plain values: {@link dev.loupe.bpf.asm.Insn} records built from opcode enums,
 * an {@link dev.loupe.bpf.asm.Assembler} whose encode pass resolves labels and map references, and a
 * disassembler for verifier errors and golden tests; see the kernel's
 * <a href="https://docs.kernel.org/bpf/standardization/instruction-set.html">BPF instruction set specification</a>.
 */
package dev.loupe.bpf.asm;
