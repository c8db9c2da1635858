package dev.loupe.dwarf.loclist;

/** The pcs {@code [low, high)}. */
public record PcRange(long low, long high) {
    public boolean contains(long pc) {
        return Long.compareUnsigned(pc, low) >= 0 && Long.compareUnsigned(pc, high) < 0;
    }

    @Override
    public String toString() {
        return "[0x" + Long.toHexString(low) + ", 0x" + Long.toHexString(high) + ")";
    }
}
