package dev.loupe.bpf.asm;

/**
 * The eleven eBPF registers. {@code R0} holds return values, {@code R1}–{@code R5} carry call arguments and are
 * clobbered by calls, {@code R6}–{@code R9} are callee-saved, and {@code R10} is the read-only frame pointer.
 */
public enum Register {
    R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10;

    /** The frame pointer, {@code R10}: the stack lives at negative offsets from it. */
    public static final Register RFP = R10;

    private static final Register[] BY_NUMBER = values();

    /** The register's number as encoded in an instruction's {@code dst_reg}/{@code src_reg} nibble. */
    public int number() {
        return ordinal();
    }

    /**
     * The register with this number.
     *
     * @throws IllegalArgumentException when {@code number} is not 0–10
     */
    public static Register of(int number) {
        if (number < 0 || number >= BY_NUMBER.length) {
            throw new IllegalArgumentException("no register r" + number);
        }
        return BY_NUMBER[number];
    }

    /** The 64-bit name used in listings, e.g. {@code r1}. */
    public String r() {
        return "r" + ordinal();
    }

    /** The 32-bit subregister name used in listings, e.g. {@code w1}. */
    public String w() {
        return "w" + ordinal();
    }
}
