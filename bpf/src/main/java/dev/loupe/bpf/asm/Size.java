package dev.loupe.bpf.asm;

/** The access size of loads and stores ({@code BPF_SIZE(code)}): {@code BPF_B}, {@code BPF_H}, {@code BPF_W}, {@code BPF_DW}. */
public enum Size {
    /** {@code BPF_W}: 4 bytes. */
    W(0x00, 4),
    /** {@code BPF_H}: 2 bytes. */
    H(0x08, 2),
    /** {@code BPF_B}: 1 byte. */
    B(0x10, 1),
    /** {@code BPF_DW}: 8 bytes. */
    DW(0x18, 8);

    private final int value;
    private final int bytes;

    Size(int value, int bytes) {
        this.value = value;
        this.bytes = bytes;
    }

    /** The size bits as encoded. */
    public int value() {
        return value;
    }

    /** The number of bytes accessed. */
    public int bytes() {
        return bytes;
    }

    /** The size of an opcode byte of class LD, LDX, ST or STX. */
    public static Size of(int opcode) {
        return switch (opcode & 0x18) {
            case 0x00 -> W;
            case 0x08 -> H;
            case 0x10 -> B;
            default -> DW;
        };
    }
}
