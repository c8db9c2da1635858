package dev.loupe.bpf.asm;

import java.util.Optional;

/** The addressing mode of loads and stores ({@code BPF_MODE(code)}). */
public enum Mode {
    /** {@code BPF_IMM}: the 64-bit immediate load {@code ld_imm64}. */
    IMM(0x00),
    /** {@code BPF_ABS}: legacy packet access at a constant offset. */
    ABS(0x20),
    /** {@code BPF_IND}: legacy packet access at a register plus constant. */
    IND(0x40),
    /** {@code BPF_MEM}: regular memory access. */
    MEM(0x60),
    /** {@code BPF_MEMSX}: sign-extending load. */
    MEMSX(0x80),
    /** {@code BPF_ATOMIC}: atomic read-modify-write; the operation is in the immediate. */
    ATOMIC(0xc0);

    private final int value;

    Mode(int value) {
        this.value = value;
    }

    /** The mode bits as encoded. */
    public int value() {
        return value;
    }

    /** The mode of an opcode byte of class LD, LDX, ST or STX; empty for the reserved modes {@code 0xa0} and {@code 0xe0}. */
    public static Optional<Mode> of(int opcode) {
        int bits = opcode & 0xe0;
        for (Mode m : values()) {
            if (m.value == bits) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
