package dev.loupe.dwarf.info;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * One debugging information entry (DWARF 5 §2.1, §7.5.2): its tag and attributes, decoded
 * on demand. Attribute values are kept raw (an offset, an index, a constant) and resolved
 * through the owning {@link DebugInfo} when asked for, so reading a DIE costs one pass over
 * its bytes and no string copies.
 */
public final class Die {
    private final DebugInfo info;
    private final Unit unit;
    private final long offset;
    private final Abbrev abbrev;
    private final int[] forms;
    private final long[] values;
    private final long[] lengths;
    private final long end;

    Die(DebugInfo info, Unit unit, long offset, Abbrev abbrev, int[] forms, long[] values, long[] lengths, long end) {
        this.info = info;
        this.unit = unit;
        this.offset = offset;
        this.abbrev = abbrev;
        this.forms = forms;
        this.values = values;
        this.lengths = lengths;
        this.end = end;
    }

    /** Its offset in {@code .debug_info}: the key every reference uses. */
    public long offset() {
        return offset;
    }

    public Unit unit() {
        return unit;
    }

    /** {@code DW_TAG_*} ({@link DwTag}). */
    public int tag() {
        return abbrev.tag();
    }

    public boolean hasChildren() {
        return abbrev.hasChildren();
    }

    /** The offset just past its attributes: its first child, or its next sibling. */
    long end() {
        return end;
    }

    private int index(int attribute) {
        int[] attrs = abbrev.attributes();
        for (int i = 0; i < attrs.length; i++) {
            if (attrs[i] == attribute) {
                return i;
            }
        }
        return -1;
    }

    public boolean has(int attribute) {
        return index(attribute) >= 0;
    }

    /** The {@code DW_FORM_*} of an attribute, or 0 when absent. */
    public int form(int attribute) {
        int i = index(attribute);
        return i < 0 ? 0 : forms[i];
    }

    /** A string attribute (inline, strp, line_strp, strx…). */
    public Optional<String> string(int attribute) {
        int i = index(attribute);
        return i < 0 ? Optional.empty() : Optional.ofNullable(info.stringValue(unit, forms[i], values[i]));
    }

    /** The name ({@code DW_AT_name}), or "" when it has none. */
    public String name() {
        return string(DwAt.NAME).orElse("");
    }

    /**
     * A constant, flag or section-offset attribute: {@code DW_FORM_sdata} and
     * {@code implicit_const} sign-extended, the others zero-extended.
     */
    public OptionalLong constant(int attribute) {
        int i = index(attribute);
        if (i < 0) {
            return OptionalLong.empty();
        }
        return switch (forms[i]) {
            case DwForm.DATA1, DwForm.DATA2, DwForm.DATA4, DwForm.DATA8, DwForm.SDATA, DwForm.UDATA, DwForm.IMPLICIT_CONST,
                 DwForm.FLAG, DwForm.FLAG_PRESENT, DwForm.SEC_OFFSET -> OptionalLong.of(values[i]);
            default -> OptionalLong.empty();
        };
    }

    /** A flag attribute: false when absent. */
    public boolean flag(int attribute) {
        return constant(attribute).orElse(0) != 0;
    }

    /** An address attribute ({@code DW_FORM_addr} or an index into {@code .debug_addr}). */
    public OptionalLong address(int attribute) {
        int i = index(attribute);
        if (i < 0) {
            return OptionalLong.empty();
        }
        return switch (forms[i]) {
            case DwForm.ADDR -> OptionalLong.of(values[i]);
            case DwForm.ADDRX, DwForm.ADDRX1, DwForm.ADDRX2, DwForm.ADDRX3, DwForm.ADDRX4, DwForm.GNU_ADDR_INDEX ->
                    OptionalLong.of(info.indexedAddress(unit, values[i]));
            default -> OptionalLong.empty();
        };
    }

    /** A reference to another DIE, as its {@code .debug_info} offset. */
    public OptionalLong reference(int attribute) {
        int i = index(attribute);
        if (i < 0) {
            return OptionalLong.empty();
        }
        return switch (forms[i]) {
            case DwForm.REF1, DwForm.REF2, DwForm.REF4, DwForm.REF8, DwForm.REF_UDATA, DwForm.REF_ADDR -> OptionalLong.of(values[i]);
            default -> OptionalLong.empty();
        };
    }

    /** A block or expression attribute's bytes ({@code DW_FORM_exprloc}, {@code block*}). */
    public Optional<byte[]> block(int attribute) {
        int i = index(attribute);
        if (i < 0) {
            return Optional.empty();
        }
        return switch (forms[i]) {
            case DwForm.BLOCK, DwForm.BLOCK1, DwForm.BLOCK2, DwForm.BLOCK4, DwForm.EXPRLOC ->
                    Optional.of(info.infoBytes(values[i], lengths[i]));
            default -> Optional.empty();
        };
    }

    /**
     * The raw value of an attribute: what {@code DW_FORM_loclistx}, {@code rnglistx} and
     * {@code sec_offset} hold, for the list readers.
     */
    public OptionalLong raw(int attribute) {
        int i = index(attribute);
        return i < 0 ? OptionalLong.empty() : OptionalLong.of(values[i]);
    }

    /**
     * The pc range {@code [low_pc, high_pc)} of a DIE that has both (DWARF 5 §2.17.2: a
     * constant-class high_pc is an offset from low_pc).
     */
    public Optional<long[]> lowHigh() {
        OptionalLong low = address(DwAt.LOW_PC);
        if (low.isEmpty()) {
            return Optional.empty();
        }
        OptionalLong highAddr = address(DwAt.HIGH_PC);
        if (highAddr.isPresent()) {
            return Optional.of(new long[] {low.getAsLong(), highAddr.getAsLong()});
        }
        OptionalLong size = constant(DwAt.HIGH_PC);
        return size.isPresent() ? Optional.of(new long[] {low.getAsLong(), low.getAsLong() + size.getAsLong()}) : Optional.empty();
    }

    @Override
    public String toString() {
        return "DIE 0x" + Long.toHexString(offset) + " tag 0x" + Integer.toHexString(tag()) + (has(DwAt.NAME) ? " " + name() : "");
    }
}
