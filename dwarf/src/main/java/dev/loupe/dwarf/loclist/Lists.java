package dev.loupe.dwarf.loclist;

import dev.loupe.dwarf.info.DebugInfo;
import dev.loupe.dwarf.info.Die;
import dev.loupe.dwarf.info.DwAt;
import dev.loupe.dwarf.info.DwForm;
import dev.loupe.dwarf.info.Unit;
import dev.loupe.dwarf.internal.ByteView;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads location lists ({@code .debug_loc}, DWARF 4 §2.6.2; {@code .debug_loclists}, DWARF 5
 * §2.6.2 and §7.29) and range lists ({@code .debug_ranges}, DWARF 4 §2.17.3;
 * {@code .debug_rnglists}, DWARF 5 §2.17.3 and §7.28), including the indexed forms
 * {@code DW_FORM_loclistx} and {@code DW_FORM_rnglistx}.
 */
public final class Lists {
    /** More entries than any list has: a corrupt list stops here. */
    private static final int MAX_ENTRIES = 1 << 16;

    private static final int DW_LLE_END_OF_LIST = 0;
    private static final int DW_LLE_BASE_ADDRESSX = 1;
    private static final int DW_LLE_STARTX_ENDX = 2;
    private static final int DW_LLE_STARTX_LENGTH = 3;
    private static final int DW_LLE_OFFSET_PAIR = 4;
    private static final int DW_LLE_DEFAULT_LOCATION = 5;
    private static final int DW_LLE_BASE_ADDRESS = 6;
    private static final int DW_LLE_START_END = 7;
    private static final int DW_LLE_START_LENGTH = 8;

    private static final int DW_RLE_END_OF_LIST = 0;
    private static final int DW_RLE_BASE_ADDRESSX = 1;
    private static final int DW_RLE_STARTX_ENDX = 2;
    private static final int DW_RLE_STARTX_LENGTH = 3;
    private static final int DW_RLE_OFFSET_PAIR = 4;
    private static final int DW_RLE_BASE_ADDRESS = 5;
    private static final int DW_RLE_START_END = 6;
    private static final int DW_RLE_START_LENGTH = 7;

    private Lists() {}

    /**
     * The location of {@code die} ({@code DW_AT_location}): a list, a single expression as one
     * entry covering all pcs, or empty when the DIE has no location.
     */
    public static List<LocationEntry> locations(DebugInfo info, Die die) {
        int form = die.form(DwAt.LOCATION);
        if (form == 0) {
            return List.of();
        }
        var single = die.block(DwAt.LOCATION);
        if (single.isPresent()) {
            return List.of(new LocationEntry(new PcRange(0, -1L), single.get()));
        }
        Unit u = die.unit();
        long value = die.raw(DwAt.LOCATION).orElseThrow();
        if (u.version() < 5) {
            return readLoc(info, u, value);
        }
        ByteView v = info.required("loclists");
        long offset = form == DwForm.LOCLISTX ? indexed(v, u, info.loclistsBase(u), value) : value;
        return readLoclists(info, v, u, offset);
    }

    /**
     * The pc ranges of {@code die}: {@code [low_pc, high_pc)}, or its {@code DW_AT_ranges}
     * list; empty when it has neither.
     */
    public static List<PcRange> ranges(DebugInfo info, Die die) {
        var lh = die.lowHigh();
        if (lh.isPresent()) {
            return List.of(new PcRange(lh.get()[0], lh.get()[1]));
        }
        int form = die.form(DwAt.RANGES);
        if (form == 0) {
            return List.of();
        }
        Unit u = die.unit();
        long value = die.raw(DwAt.RANGES).orElseThrow();
        if (u.version() < 5) {
            return readRanges(info, u, value);
        }
        ByteView v = info.required("rnglists");
        long base = info.rnglistsBase(u);
        long offset = form == DwForm.RNGLISTX ? indexed(v, u, base, value) : value;
        return readRnglists(info, v, u, offset);
    }

    /** The list at index {@code index} of the offsets table at {@code base} (DWARF 5 §7.28, §7.29). */
    private static long indexed(ByteView v, Unit u, long base, long index) {
        if (base < 0) {
            throw v.error(-1, "indexed list in " + u + ", which has no list base attribute");
        }
        return base + v.word(base + index * u.offsetSize(), u.offsetSize());
    }

    private static List<LocationEntry> readLoc(DebugInfo info, Unit u, long offset) {
        ByteView v = info.required("loc");
        List<LocationEntry> out = new ArrayList<>();
        walkPairs(info, v, u, offset, "location list", (range, p) -> {
            int len = v.u16(p);
            out.add(new LocationEntry(range, v.bytes(p + 2, len)));
            return p + 2 + len;
        });
        return out;
    }

    /** What follows one (start, end) pair of a DWARF 4 list: reads it, returns the offset of the next pair. */
    private interface PairEntry {
        long read(PcRange range, long afterPair);
    }

    /**
     * Walks a DWARF 4 list of address pairs ({@code .debug_loc}, DWARF 4 §2.6.2; {@code .debug_ranges}, §2.17.3):
     * (start, end) relative to the base address, a base-address selection entry (start all ones), and (0, 0) at
     * the end.
     */
    private static void walkPairs(DebugInfo info, ByteView v, Unit u, long offset, String what, PairEntry entry) {
        long max = u.addressSize() == 8 ? -1L : 0xffffffffL;
        long base = info.baseAddress(u);
        long p = offset;
        for (int n = 0; n < MAX_ENTRIES; n++) {
            long start = v.word(p, u.addressSize());
            long end = v.word(p + u.addressSize(), u.addressSize());
            p += 2L * u.addressSize();
            if (start == 0 && end == 0) {
                return;
            }
            if (start == max) {
                base = end;
            } else {
                p = entry.read(new PcRange(base + start, base + end), p);
            }
        }
        throw v.error(offset, what + " longer than " + MAX_ENTRIES + " entries");
    }

    private static List<LocationEntry> readLoclists(DebugInfo info, ByteView v, Unit u, long offset) {
        long base = info.baseAddress(u);
        int as = u.addressSize();
        List<LocationEntry> out = new ArrayList<>();
        long[] next = new long[1];
        long p = offset;
        for (int n = 0; n < MAX_ENTRIES; n++) {
            int kind = v.u8(p++);
            long low;
            long high;
            switch (kind) {
                case DW_LLE_END_OF_LIST -> {
                    return out;
                }
                case DW_LLE_BASE_ADDRESSX -> {
                    base = info.indexedAddress(u, v.uvarint(p, next));
                    p = next[0];
                    continue;
                }
                case DW_LLE_BASE_ADDRESS -> {
                    base = v.word(p, as);
                    p += as;
                    continue;
                }
                case DW_LLE_STARTX_ENDX -> {
                    low = info.indexedAddress(u, v.uvarint(p, next));
                    high = info.indexedAddress(u, v.uvarint(next[0], next));
                    p = next[0];
                }
                case DW_LLE_STARTX_LENGTH -> {
                    low = info.indexedAddress(u, v.uvarint(p, next));
                    high = low + v.uvarint(next[0], next);
                    p = next[0];
                }
                case DW_LLE_OFFSET_PAIR -> {
                    low = base + v.uvarint(p, next);
                    high = base + v.uvarint(next[0], next);
                    p = next[0];
                }
                case DW_LLE_DEFAULT_LOCATION -> {
                    low = 0;
                    high = -1L;
                }
                case DW_LLE_START_END -> {
                    low = v.word(p, as);
                    high = v.word(p + as, as);
                    p += 2L * as;
                }
                case DW_LLE_START_LENGTH -> {
                    low = v.word(p, as);
                    high = low + v.uvarint(p + as, next);
                    p = next[0];
                }
                default -> throw v.error(p - 1, "unknown location list entry kind 0x" + Integer.toHexString(kind));
            }
            long len = v.uvarint(p, next);
            p = next[0];
            if (len > v.size() - p) {
                throw v.error(p, "location expression of " + len + " bytes is implausible");
            }
            out.add(new LocationEntry(new PcRange(low, high), v.bytes(p, (int) len)));
            p += len;
        }
        throw v.error(offset, "location list longer than " + MAX_ENTRIES + " entries");
    }

    private static List<PcRange> readRanges(DebugInfo info, Unit u, long offset) {
        List<PcRange> out = new ArrayList<>();
        walkPairs(info, info.required("ranges"), u, offset, "range list", (range, p) -> {
            out.add(range);
            return p;
        });
        return out;
    }

    private static List<PcRange> readRnglists(DebugInfo info, ByteView v, Unit u, long offset) {
        long base = info.baseAddress(u);
        int as = u.addressSize();
        List<PcRange> out = new ArrayList<>();
        long[] next = new long[1];
        long p = offset;
        for (int n = 0; n < MAX_ENTRIES; n++) {
            int kind = v.u8(p++);
            switch (kind) {
                case DW_RLE_END_OF_LIST -> {
                    return out;
                }
                case DW_RLE_BASE_ADDRESSX -> {
                    base = info.indexedAddress(u, v.uvarint(p, next));
                    p = next[0];
                }
                case DW_RLE_BASE_ADDRESS -> {
                    base = v.word(p, as);
                    p += as;
                }
                case DW_RLE_STARTX_ENDX -> {
                    long low = info.indexedAddress(u, v.uvarint(p, next));
                    out.add(new PcRange(low, info.indexedAddress(u, v.uvarint(next[0], next))));
                    p = next[0];
                }
                case DW_RLE_STARTX_LENGTH -> {
                    long low = info.indexedAddress(u, v.uvarint(p, next));
                    out.add(new PcRange(low, low + v.uvarint(next[0], next)));
                    p = next[0];
                }
                case DW_RLE_OFFSET_PAIR -> {
                    long low = base + v.uvarint(p, next);
                    out.add(new PcRange(low, base + v.uvarint(next[0], next)));
                    p = next[0];
                }
                case DW_RLE_START_END -> {
                    out.add(new PcRange(v.word(p, as), v.word(p + as, as)));
                    p += 2L * as;
                }
                case DW_RLE_START_LENGTH -> {
                    long low = v.word(p, as);
                    out.add(new PcRange(low, low + v.uvarint(p + as, next)));
                    p = next[0];
                }
                default -> throw v.error(p - 1, "unknown range list entry kind 0x" + Integer.toHexString(kind));
            }
        }
        throw v.error(offset, "range list longer than " + MAX_ENTRIES + " entries");
    }
}
