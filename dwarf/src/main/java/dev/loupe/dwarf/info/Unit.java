package dev.loupe.dwarf.info;

/**
 * A unit header of {@code .debug_info} (DWARF 5 §7.5.1; §7.5.1.1 for DWARF 2-4). Its base
 * attributes ({@code DW_AT_str_offsets_base}, {@code DW_AT_addr_base}…) live on the unit DIE
 * and are read with {@link DebugInfo#unitDie}.
 *
 * @param offset       where the header starts in {@code .debug_info}
 * @param end          the offset just past the unit
 * @param version      2 to 5
 * @param unitType     {@code DW_UT_*} (1 compile, 2 type, 3 partial, 4 skeleton…); 1 before DWARF 5
 * @param offsetSize   4 for 32-bit DWARF, 8 for 64-bit DWARF
 * @param addressSize  the target address size
 * @param abbrevOffset its abbreviation table in {@code .debug_abbrev}
 * @param firstDie     the offset of the unit DIE
 */
public record Unit(long offset, long end, int version, int unitType, int offsetSize, int addressSize, long abbrevOffset,
                   long firstDie) {
    public static final int DW_UT_COMPILE = 1;
    public static final int DW_UT_TYPE = 2;
    public static final int DW_UT_PARTIAL = 3;
    public static final int DW_UT_SKELETON = 4;
    public static final int DW_UT_SPLIT_COMPILE = 5;
    public static final int DW_UT_SPLIT_TYPE = 6;

    /** True when {@code dieOffset} lies inside this unit. */
    public boolean contains(long dieOffset) {
        return dieOffset >= firstDie && dieOffset < end;
    }

    /** Describes the unit for messages, e.g. "DWARF 5 compile unit at 0x1c". */
    @Override
    public String toString() {
        String kind = switch (unitType) {
            case DW_UT_TYPE, DW_UT_SPLIT_TYPE -> "type";
            case DW_UT_PARTIAL -> "partial";
            case DW_UT_SKELETON -> "skeleton";
            default -> "compile";
        };
        return "DWARF " + version + " " + kind + " unit at 0x" + Long.toHexString(offset);
    }

    /** The unit's base attributes, read from its unit DIE. */
    record Bases(long strOffsetsBase, long addrBase, long rnglistsBase, long loclistsBase, long lowPc) {}
}
