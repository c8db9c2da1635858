package dev.loupe.bpf.asm;

/** The instruction class in the low three bits of the opcode ({@code BPF_CLASS(code)}). */
public enum InsnClass {
    /** {@code BPF_LD}: 64-bit immediate loads (and the legacy packet loads). */
    LD(0x00),
    /** {@code BPF_LDX}: load from memory into a register. */
    LDX(0x01),
    /** {@code BPF_ST}: store an immediate to memory. */
    ST(0x02),
    /** {@code BPF_STX}: store a register to memory, and the atomic operations. */
    STX(0x03),
    /** {@code BPF_ALU}: 32-bit arithmetic; the upper half of the destination is zeroed. */
    ALU(0x04),
    /** {@code BPF_JMP}: 64-bit compares and jumps, calls and exit. */
    JMP(0x05),
    /** {@code BPF_JMP32}: jumps comparing the lower 32 bits. */
    JMP32(0x06),
    /** {@code BPF_ALU64}: 64-bit arithmetic. */
    ALU64(0x07);

    private static final InsnClass[] BY_VALUE = values();

    private final int value;

    InsnClass(int value) {
        this.value = value;
    }

    /** The class bits as encoded. */
    public int value() {
        return value;
    }

    /** The class of an opcode byte. */
    public static InsnClass of(int opcode) {
        return BY_VALUE[opcode & 0x07];
    }

    boolean isJump() {
        return this == JMP || this == JMP32;
    }
}
