package dev.loupe.bpf.asm;

import java.util.Optional;

/**
 * Arithmetic operations ({@code BPF_OP(code)} of classes {@code BPF_ALU64} and {@code BPF_ALU}). The builders make
 * the 64-bit form ({@link #imm}, {@link #reg}) or the 32-bit form ({@link #imm32}, {@link #reg32}), e.g.
 * {@code AluOp.ADD.imm(R2, -8)} is {@code r2 += -8}.
 */
public enum AluOp {
    ADD(0x00, "+="),
    SUB(0x10, "-="),
    MUL(0x20, "*="),
    DIV(0x30, "/="),
    OR(0x40, "|="),
    AND(0x50, "&="),
    LSH(0x60, "<<="),
    RSH(0x70, ">>="),
    /** {@code BPF_NEG}: {@code dst = -dst}; immediate and source must be zero. */
    NEG(0x80, null),
    MOD(0x90, "%="),
    XOR(0xa0, "^="),
    MOV(0xb0, "="),
    ARSH(0xc0, "s>>="),
    /** {@code BPF_END}: byte swap; the immediate is the width (16, 32, 64), the source bit picks the order. */
    END(0xd0, null);

    private final int value;
    private final String operator;

    AluOp(int value, String operator) {
        this.value = value;
        this.operator = operator;
    }

    /** The operation bits as encoded. */
    public int value() {
        return value;
    }

    /** The C-like operator used in listings, e.g. {@code +=}; null for {@code NEG} and {@code END}. */
    public String operator() {
        return operator;
    }

    /** The operation of an ALU opcode byte; empty for the reserved codes. */
    public static Optional<AluOp> of(int opcode) {
        int bits = opcode & 0xf0;
        for (AluOp op : values()) {
            if (op.value == bits) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }

    /** {@code dst op= imm} on 64 bits ({@code BPF_ALU64 | BPF_K}). */
    public Insn imm(Register dst, int imm) {
        return new Insn(InsnClass.ALU64.value() | value, dst, Register.R0, (short) 0, imm);
    }

    /** {@code dst op= src} on 64 bits ({@code BPF_ALU64 | BPF_X}). */
    public Insn reg(Register dst, Register src) {
        return new Insn(InsnClass.ALU64.value() | value | Insn.SOURCE_X, dst, src, (short) 0, 0);
    }

    /** {@code wdst op= imm} on 32 bits ({@code BPF_ALU | BPF_K}); the upper half of {@code dst} becomes zero. */
    public Insn imm32(Register dst, int imm) {
        return new Insn(InsnClass.ALU.value() | value, dst, Register.R0, (short) 0, imm);
    }

    /** {@code wdst op= wsrc} on 32 bits ({@code BPF_ALU | BPF_X}); the upper half of {@code dst} becomes zero. */
    public Insn reg32(Register dst, Register src) {
        return new Insn(InsnClass.ALU.value() | value | Insn.SOURCE_X, dst, src, (short) 0, 0);
    }
}
