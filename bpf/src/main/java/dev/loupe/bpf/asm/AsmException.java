package dev.loupe.bpf.asm;

import java.io.Serial;

/**
 * A program that cannot be encoded or decoded: a missing or duplicate label, a jump too far, a map without an fd,
 * malformed bytes. The message says where, as {@code at insn N: ...} with the slot index of the listing.
 */
public final class AsmException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int slot;

    AsmException(int slot, String message) {
        super(slot >= 0 ? "at insn " + slot + ": " + message : message);
        this.slot = slot;
    }

    /** The slot index of the offending instruction, or -1 when the problem is not about one instruction. */
    public int slot() {
        return slot;
    }
}
