package dev.loupe.bpf.asm;

import java.util.Optional;

/**
 * Atomic read-modify-write operations: {@code BPF_STX | BPF_ATOMIC} with the operation in the immediate.
 * The {@code FETCH_} forms ({@code BPF_FETCH}) also load the old value into the source register;
 * {@code CMPXCHG} compares with {@code r0} and loads the old value into {@code r0}.
 */
public enum AtomicOp {
    ADD(0x00, "+=", "add"),
    OR(0x40, "|=", "or"),
    AND(0x50, "&=", "and"),
    XOR(0xa0, "^=", "xor"),
    FETCH_ADD(0x01, null, "fetch_add"),
    FETCH_OR(0x41, null, "fetch_or"),
    FETCH_AND(0x51, null, "fetch_and"),
    FETCH_XOR(0xa1, null, "fetch_xor"),
    /** {@code BPF_XCHG}. */
    XCHG(0xe1, null, "xchg"),
    /** {@code BPF_CMPXCHG}. */
    CMPXCHG(0xf1, null, "cmpxchg");

    private final int imm;
    private final String operator;
    private final String function;

    AtomicOp(int imm, String operator, String function) {
        this.imm = imm;
        this.operator = operator;
        this.function = function;
    }

    /** The operation as encoded in the immediate. */
    public int imm() {
        return imm;
    }

    /** The operator for the non-fetching forms ({@code lock *(u64 *)(r1 +0) += r2}); null for the others. */
    String operator() {
        return operator;
    }

    /** The function-like name for the fetching forms, e.g. {@code fetch_add}. */
    String function() {
        return function;
    }

    /** The operation with this immediate; empty when none. */
    public static Optional<AtomicOp> of(long imm) {
        for (AtomicOp op : values()) {
            if (op.imm == imm) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }

    /**
     * {@code lock *(size *)(dst + offset) op= src}, or the fetching form.
     *
     * @param size {@link Size#W} or {@link Size#DW}
     */
    public Insn insn(Size size, Register dst, int offset, Register src) {
        if (size != Size.W && size != Size.DW) {
            throw new IllegalArgumentException("atomic operations are 32 or 64 bits wide, not " + size);
        }
        return new Insn(InsnClass.STX.value() | Mode.ATOMIC.value() | size.value(), dst, src, Insn.offset(offset), imm);
    }
}
