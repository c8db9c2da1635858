package dev.loupe.bpf.asm;

import java.util.Optional;

/**
 * Jump operations ({@code BPF_OP(code)} of classes {@code BPF_JMP} and {@code BPF_JMP32}). The builders make
 * conditional jumps to a label that the encode pass turns into an offset, e.g. {@code JumpOp.JEQ.imm(R0, 0, "exit")}
 * is {@code if r0 == 0x0 goto <exit>}. Unconditional jumps, calls and exit are built by {@link Insn#ja},
 * {@link Insn#call} and {@link Insn#exit}.
 */
public enum JumpOp {
    /** {@code BPF_JA}: unconditional jump. */
    JA(0x00, null),
    JEQ(0x10, "=="),
    JGT(0x20, ">"),
    JGE(0x30, ">="),
    JSET(0x40, "&"),
    JNE(0x50, "!="),
    JSGT(0x60, "s>"),
    JSGE(0x70, "s>="),
    /** {@code BPF_CALL}: helper, BPF-to-BPF or kfunc call, told apart by {@code src_reg}. */
    CALL(0x80, null),
    /** {@code BPF_EXIT}: return {@code r0}. */
    EXIT(0x90, null),
    JLT(0xa0, "<"),
    JLE(0xb0, "<="),
    JSLT(0xc0, "s<"),
    JSLE(0xd0, "s<=");

    private final int value;
    private final String operator;

    JumpOp(int value, String operator) {
        this.value = value;
        this.operator = operator;
    }

    /** The operation bits as encoded. */
    public int value() {
        return value;
    }

    /** True for the comparisons, false for {@code JA}, {@code CALL} and {@code EXIT}. */
    public boolean isConditional() {
        return operator != null;
    }

    /** The comparison operator used in listings, e.g. {@code s>=}; null when not conditional. */
    public String operator() {
        return operator;
    }

    /** The operation of a JMP or JMP32 opcode byte; empty for the reserved codes. */
    public static Optional<JumpOp> of(int opcode) {
        int bits = opcode & 0xf0;
        for (JumpOp op : values()) {
            if (op.value == bits) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }

    /** {@code if dst op imm goto label}, comparing 64 bits. */
    public Insn imm(Register dst, int imm, String label) {
        return conditional(InsnClass.JMP, 0, dst, Register.R0, imm, label);
    }

    /** {@code if dst op src goto label}, comparing 64 bits. */
    public Insn reg(Register dst, Register src, String label) {
        return conditional(InsnClass.JMP, Insn.SOURCE_X, dst, src, 0, label);
    }

    /** {@code if wdst op imm goto label}, comparing the lower 32 bits. */
    public Insn imm32(Register dst, int imm, String label) {
        return conditional(InsnClass.JMP32, 0, dst, Register.R0, imm, label);
    }

    /** {@code if wdst op wsrc goto label}, comparing the lower 32 bits. */
    public Insn reg32(Register dst, Register src, String label) {
        return conditional(InsnClass.JMP32, Insn.SOURCE_X, dst, src, 0, label);
    }

    private Insn conditional(InsnClass cls, int source, Register dst, Register src, int imm, String label) {
        if (!isConditional()) {
            throw new UnsupportedOperationException(this + " is not a comparison: use Insn.ja, Insn.call or Insn.exit");
        }
        return new Insn(cls.value() | value | source, dst, src, (short) 0, imm).withReference(label);
    }
}
