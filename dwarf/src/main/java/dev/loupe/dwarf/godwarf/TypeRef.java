package dev.loupe.dwarf.godwarf;

/**
 * A reference to a type by its DIE offset in {@code .debug_info}, resolved with
 * {@link Types#get(TypeRef)}. Types refer to each other through these rather than directly,
 * so a type cycle (a struct holding a pointer to itself) is just two references.
 */
public record TypeRef(long offset) {
    @Override
    public String toString() {
        return "<0x" + Long.toHexString(offset) + ">";
    }
}
