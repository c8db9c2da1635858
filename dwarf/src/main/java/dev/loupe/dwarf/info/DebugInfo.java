package dev.loupe.dwarf.info;

import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.elf.ElfFile;
import dev.loupe.dwarf.internal.ByteView;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code .debug_info} with its helper sections ({@code .debug_abbrev}, {@code .debug_str},
 * {@code .debug_line_str}, {@code .debug_str_offsets}, {@code .debug_addr}), DWARF 2 to 5
 * (DWARF 5 §6.3, §7.5, §7.26, §7.27).
 *
 * <p>Opening reads the unit headers and builds an {@link Index} in one pass over the DIEs
 * that keeps only names and offsets; DIEs are decoded again, one at a time, when asked for.
 */
public final class DebugInfo {
    /** Nesting deeper than any producer writes: a corrupt tree stops here. */
    private static final int MAX_DEPTH = 256;

    private final ElfFile elf;
    private final ByteView info;
    private final ByteView abbrev;
    private final Map<String, Optional<ByteView>> sections = new ConcurrentHashMap<>();
    private final List<Unit> units;
    private final long[] unitStarts;
    private final Map<Long, Map<Integer, Abbrev>> abbrevTables = new ConcurrentHashMap<>();
    private final Map<Long, Unit.Bases> bases = new ConcurrentHashMap<>();
    private final Index index;

    /**
     * The names the index keeps, each mapped to a DIE offset.
     *
     * @param functions  functions with code (a concrete {@code DW_TAG_subprogram}), by name;
     *                   nameless concrete instances take their abstract origin's name
     * @param types      type DIEs that are children of a unit, by name (the first one wins)
     * @param variables  package-level variables, by name
     * @param runtimeTypes type DIEs by their {@code DW_AT_go_runtime_type}: the offset of the type's
     *                   {@code runtime._type} from the start of the types section
     *                   ({@code runtime.moduledata.types}, the {@code type:*} symbol)
     * @param functionLows  entry pcs of the functions, sorted
     * @param functionHighs their end pcs, parallel to {@code functionLows}
     * @param functionDies  their DIE offsets, parallel to {@code functionLows}
     *
     * <p>The arrays are shared, not copied: callers must not modify them.
     */
    public record Index(Map<String, Long> functions, Map<String, Long> types, Map<String, Long> variables,
                        Map<Long, Long> runtimeTypes, long[] functionLows,
                        long[] functionHighs, long[] functionDies) {}

    private DebugInfo(ElfFile elf, ByteView info, ByteView abbrev) {
        this.elf = elf;
        this.info = info;
        this.abbrev = abbrev;
        this.units = readUnits();
        this.unitStarts = units.stream().mapToLong(Unit::offset).toArray();
        this.index = buildIndex();
    }

    /**
     * Opens the DWARF of {@code elf}: reads unit headers and builds the index.
     *
     * @throws BinaryFormatException if there is no {@code .debug_info} or it is malformed
     */
    public static DebugInfo read(ElfFile elf) {
        ByteView info = elf.dwarfSection("info")
                .orElseThrow(() -> new BinaryFormatException(elf.path(), ".debug_info", -1, "no DWARF (linked with -w or stripped)"));
        ByteView abbrev = elf.dwarfSection("abbrev")
                .orElseThrow(() -> new BinaryFormatException(elf.path(), ".debug_abbrev", -1, "missing, but .debug_info is present"));
        return new DebugInfo(elf, info, abbrev);
    }

    /** The DWARF section {@code .debug_<suffix>} (decompressed), if present. */
    public Optional<ByteView> section(String suffix) {
        return sections.computeIfAbsent(suffix, elf::dwarfSection);
    }

    public List<Unit> units() {
        return units;
    }

    public Index index() {
        return index;
    }

    /** The highest DWARF version among the units (Go writes one version for all its units). */
    public int version() {
        return units.stream().mapToInt(Unit::version).max().orElse(0);
    }

    /** The unit containing {@code dieOffset}. */
    public Unit unitOf(long dieOffset) {
        int i = Arrays.binarySearch(unitStarts, dieOffset);
        int u = i >= 0 ? i : -i - 2;
        if (u < 0 || !units.get(u).contains(dieOffset)) {
            throw info.error(dieOffset, "no DIE at this offset (not inside a unit)");
        }
        return units.get(u);
    }

    /** The unit's DIE ({@code DW_TAG_compile_unit} and the like). */
    public Die unitDie(Unit u) {
        return die(u.firstDie());
    }

    /** The DIE at {@code offset} in {@code .debug_info}. */
    public Die die(long offset) {
        Unit u = unitOf(offset);
        Die d = readDie(u, offset);
        if (d == null) {
            throw info.error(offset, "null entry where a DIE was expected");
        }
        return d;
    }

    /** The direct children of {@code parent}, in order. */
    public List<Die> children(Die parent) {
        if (!parent.hasChildren()) {
            return List.of();
        }
        List<Die> out = new ArrayList<>();
        Unit u = parent.unit();
        long p = parent.end();
        int depth = 0;
        while (p < u.end()) {
            Die d = readDie(u, p);
            if (d == null) {
                p++;
                if (depth-- == 0) {
                    return out;
                }
                continue;
            }
            if (depth == 0) {
                out.add(d);
            }
            p = d.end();
            if (d.hasChildren()) {
                if (++depth > MAX_DEPTH) {
                    throw info.error(d.offset(), "DIEs nested more than " + MAX_DEPTH + " deep");
                }
            }
        }
        return out;
    }

    /** Reads the DIE at {@code p}, or null for a null entry (code 0) that ends a sibling chain. */
    private Die readDie(Unit u, long p) {
        long[] next = new long[1];
        long code = info.uvarint(p, next);
        if (code == 0) {
            return null;
        }
        Abbrev a = abbrevs(u).get((int) Math.min(code, Integer.MAX_VALUE));
        if (a == null) {
            throw info.error(p, "abbreviation code " + code + " not in the table at .debug_abbrev offset 0x"
                    + Long.toHexString(u.abbrevOffset()));
        }
        int n = a.attributes().length;
        int[] forms = a.forms().clone();
        long[] values = new long[n];
        long[] lengths = new long[n];
        long[] out = new long[2];
        long q = next[0];
        for (int i = 0; i < n; i++) {
            int form = forms[i];
            if (form == DwForm.INDIRECT) {
                form = (int) Math.min(info.uvarint(q, next), Integer.MAX_VALUE);
                q = next[0];
                forms[i] = form;
            }
            q = readForm(u, q, form, a.implicitConstants()[i], out);
            values[i] = out[0];
            lengths[i] = out[1];
        }
        if (q > u.end()) {
            throw info.error(p, "DIE runs past the end of its unit");
        }
        return new Die(this, u, p, a, forms, values, lengths, q);
    }

    private Map<Integer, Abbrev> abbrevs(Unit u) {
        return abbrevTables.computeIfAbsent(u.abbrevOffset(), off -> Abbrev.readTable(abbrev, off));
    }

    /**
     * Decodes one attribute value of {@code form} at {@code p}: {@code out[0]} is the value
     * (references made absolute; for blocks and inline strings the offset of the bytes),
     * {@code out[1]} a block's length. Returns the offset after the value.
     */
    private long readForm(Unit u, long p, int form, long implicit, long[] out) {
        long[] next = new long[1];
        out[1] = 0;
        switch (form) {
            case DwForm.ADDR -> {
                out[0] = info.word(p, u.addressSize());
                return p + u.addressSize();
            }
            case DwForm.DATA1, DwForm.FLAG, DwForm.STRX1, DwForm.ADDRX1 -> {
                out[0] = info.u8(p);
                return p + 1;
            }
            case DwForm.REF1 -> {
                out[0] = u.offset() + info.u8(p);
                return p + 1;
            }
            case DwForm.DATA2, DwForm.STRX2, DwForm.ADDRX2 -> {
                out[0] = info.u16(p);
                return p + 2;
            }
            case DwForm.REF2 -> {
                out[0] = u.offset() + info.u16(p);
                return p + 2;
            }
            case DwForm.STRX3, DwForm.ADDRX3 -> {
                out[0] = info.u16(p) | (long) info.u8(p + 2) << 16;
                return p + 3;
            }
            case DwForm.DATA4, DwForm.STRX4, DwForm.ADDRX4, DwForm.REF_SUP4 -> {
                out[0] = info.u32(p);
                return p + 4;
            }
            case DwForm.REF4 -> {
                out[0] = u.offset() + info.u32(p);
                return p + 4;
            }
            case DwForm.DATA8, DwForm.REF_SIG8, DwForm.REF_SUP8 -> {
                out[0] = info.u64(p);
                return p + 8;
            }
            case DwForm.REF8 -> {
                out[0] = u.offset() + info.u64(p);
                return p + 8;
            }
            case DwForm.DATA16 -> {
                info.check(p, 16);
                out[0] = p;
                out[1] = 16;
                return p + 16;
            }
            case DwForm.SDATA -> {
                out[0] = info.svarint(p, next);
                return next[0];
            }
            case DwForm.UDATA, DwForm.STRX, DwForm.ADDRX, DwForm.LOCLISTX, DwForm.RNGLISTX, DwForm.GNU_ADDR_INDEX,
                 DwForm.GNU_STR_INDEX -> {
                out[0] = info.uvarint(p, next);
                return next[0];
            }
            case DwForm.REF_UDATA -> {
                out[0] = u.offset() + info.uvarint(p, next);
                return next[0];
            }
            case DwForm.REF_ADDR -> {
                int size = u.version() <= 2 ? u.addressSize() : u.offsetSize();
                out[0] = info.word(p, size);
                return p + size;
            }
            case DwForm.STRP, DwForm.LINE_STRP, DwForm.SEC_OFFSET, DwForm.STRP_SUP, DwForm.GNU_REF_ALT, DwForm.GNU_STRP_ALT -> {
                out[0] = info.word(p, u.offsetSize());
                return p + u.offsetSize();
            }
            case DwForm.STRING -> {
                long end = p;
                while (info.u8(end) != 0) {
                    end++;
                }
                out[0] = p;
                out[1] = end - p;
                return end + 1;
            }
            case DwForm.FLAG_PRESENT -> {
                out[0] = 1;
                return p;
            }
            case DwForm.IMPLICIT_CONST -> {
                out[0] = implicit;
                return p;
            }
            case DwForm.BLOCK1 -> {
                return block(p + 1, info.u8(p), out);
            }
            case DwForm.BLOCK2 -> {
                return block(p + 2, info.u16(p), out);
            }
            case DwForm.BLOCK4 -> {
                return block(p + 4, info.u32(p), out);
            }
            case DwForm.BLOCK, DwForm.EXPRLOC -> {
                long len = info.uvarint(p, next);
                return block(next[0], len, out);
            }
            default -> throw info.error(p, "unknown attribute form 0x" + Integer.toHexString(form) + " in " + u);
        }
    }

    private long block(long start, long len, long[] out) {
        info.check(start, len);
        out[0] = start;
        out[1] = len;
        return start + len;
    }

    byte[] infoBytes(long off, long len) {
        if (len > Integer.MAX_VALUE) {
            throw info.error(off, "block of " + len + " bytes is implausible");
        }
        return info.bytes(off, (int) len);
    }

    /** Resolves a string-class value of {@code form}; null for forms that are not strings. */
    String stringValue(Unit u, int form, long value) {
        return switch (form) {
            case DwForm.STRING -> info.cString(value);
            case DwForm.STRP -> required("str").cString(value);
            case DwForm.LINE_STRP -> required("line_str").cString(value);
            case DwForm.STRX, DwForm.STRX1, DwForm.STRX2, DwForm.STRX3, DwForm.STRX4, DwForm.GNU_STR_INDEX -> {
                ByteView offsets = required("str_offsets");
                long at = bases(u).strOffsetsBase() + value * u.offsetSize();
                yield required("str").cString(offsets.word(at, u.offsetSize()));
            }
            default -> null;
        };
    }

    /** The address at {@code index} of the unit's {@code .debug_addr} contribution (DWARF 5 §7.27). */
    public long indexedAddress(Unit u, long index) {
        ByteView addr = required("addr");
        if (index < 0 || index > addr.size() / u.addressSize()) {
            throw addr.error(-1, "address index " + index + " out of range");
        }
        return addr.word(bases(u).addrBase() + index * u.addressSize(), u.addressSize());
    }

    /** A helper section that a form needs: its absence is a format error. */
    public ByteView required(String suffix) {
        return section(suffix).orElseThrow(() ->
                new BinaryFormatException(elf.path(), ".debug_" + suffix, -1, "missing, but .debug_info refers to it"));
    }

    /** The unit's base attributes, read once from its unit DIE. */
    Unit.Bases bases(Unit u) {
        return bases.computeIfAbsent(u.offset(), k -> {
            Die d = readDie(u, u.firstDie());
            if (d == null) {
                throw info.error(u.firstDie(), "unit without a unit DIE");
            }
            // DWARF 5 §7.26, §7.27: without a base attribute, the first contribution follows its header.
            long strBase = d.raw(DwAt.STR_OFFSETS_BASE).orElse(u.offsetSize() == 8 ? 16 : 8);
            long addrBase = d.raw(DwAt.ADDR_BASE).orElse(u.offsetSize() == 8 ? 16 : 8);
            long lowPc = 0;
            int lowForm = d.form(DwAt.LOW_PC);
            if (lowForm == DwForm.ADDR) {
                lowPc = d.raw(DwAt.LOW_PC).orElse(0);
            } else if (isAddrx(lowForm)) {
                lowPc = required("addr").word(addrBase + d.raw(DwAt.LOW_PC).orElse(0) * u.addressSize(), u.addressSize());
            }
            return new Unit.Bases(strBase, addrBase, d.raw(DwAt.RNGLISTS_BASE).orElse(-1), d.raw(DwAt.LOCLISTS_BASE).orElse(-1), lowPc);
        });
    }

    /** The unit's base address for location and range lists (its {@code DW_AT_low_pc}). */
    public long baseAddress(Unit u) {
        return bases(u).lowPc();
    }

    /** The unit's {@code DW_AT_loclists_base}, or -1. */
    public long loclistsBase(Unit u) {
        return bases(u).loclistsBase();
    }

    /** The unit's {@code DW_AT_rnglists_base}, or -1. */
    public long rnglistsBase(Unit u) {
        return bases(u).rnglistsBase();
    }

    private List<Unit> readUnits() {
        List<Unit> out = new ArrayList<>();
        long p = 0;
        while (p < info.size()) {
            long start = p;
            long length = info.u32(p);
            int offsetSize = 4;
            p += 4;
            if (length == 0xffffffffL) {
                length = info.u64(p);
                offsetSize = 8;
                p += 8;
            } else if (length >= 0xfffffff0L) {
                throw info.error(start, "reserved unit length 0x" + Long.toHexString(length));
            }
            if (length < 0 || length > info.size() - p) {
                throw info.error(start, "unit length " + length + " is implausible: only " + (info.size() - p) + " bytes follow");
            }
            long end = p + length;
            int version = info.u16(p);
            p += 2;
            int unitType = Unit.DW_UT_COMPILE;
            int addressSize;
            long abbrevOffset;
            if (version == 5) {
                unitType = info.u8(p);
                addressSize = info.u8(p + 1);
                abbrevOffset = info.word(p + 2, offsetSize);
                p += 2 + offsetSize;
                p += switch (unitType) {
                    case Unit.DW_UT_SKELETON, Unit.DW_UT_SPLIT_COMPILE -> 8;
                    case Unit.DW_UT_TYPE, Unit.DW_UT_SPLIT_TYPE -> 8 + offsetSize;
                    default -> 0;
                };
            } else if (version >= 2 && version <= 4) {
                abbrevOffset = info.word(p, offsetSize);
                addressSize = info.u8(p + offsetSize);
                p += offsetSize + 1;
            } else {
                throw info.error(start, "unsupported DWARF version " + version);
            }
            if (addressSize != 4 && addressSize != 8) {
                throw info.error(start, "address size " + addressSize + " is not 4 or 8");
            }
            if (abbrevOffset < 0 || abbrevOffset >= abbrev.size()) {
                throw info.error(start, "abbreviation offset 0x" + Long.toHexString(abbrevOffset) + " outside .debug_abbrev");
            }
            if (p > end) {
                throw info.error(start, "unit header longer than the unit");
            }
            out.add(new Unit(start, end, version, unitType, offsetSize, addressSize, abbrevOffset, p));
            p = end;
        }
        return Collections.unmodifiableList(out);
    }

    /** One pass over every DIE, keeping only what the index needs; attributes are decoded but not resolved. */
    private Index buildIndex() {
        Map<String, Long> functions = new HashMap<>();
        Map<String, Long> types = new HashMap<>();
        Map<String, Long> variables = new HashMap<>();
        Map<Long, Long> runtimeTypes = new HashMap<>();
        Map<Long, String> abstractNames = new HashMap<>();
        List<long[]> nameless = new ArrayList<>();
        List<long[]> ranges = new ArrayList<>();
        long[] next = new long[1];
        long[] out = new long[2];
        for (Unit u : units) {
            if (u.unitType() != Unit.DW_UT_COMPILE && u.unitType() != Unit.DW_UT_PARTIAL) {
                continue;
            }
            Map<Integer, Abbrev> table = abbrevs(u);
            long p = u.firstDie();
            int depth = 0;
            while (p < u.end()) {
                long dieOffset = p;
                long code = info.uvarint(p, next);
                p = next[0];
                if (code == 0) {
                    if (--depth < 0) {
                        break;
                    }
                    continue;
                }
                Abbrev a = table.get((int) Math.min(code, Integer.MAX_VALUE));
                if (a == null) {
                    throw info.error(dieOffset, "abbreviation code " + code + " not in the table at .debug_abbrev offset 0x"
                            + Long.toHexString(u.abbrevOffset()));
                }
                int tag = a.tag();
                boolean keep = depth == 1 && (tag == DwTag.SUBPROGRAM || tag == DwTag.VARIABLE || isType(tag));
                int nameForm = 0;
                long name = 0;
                int lowForm = 0;
                long low = 0;
                int highForm = 0;
                long high = 0;
                long origin = -1;
                long runtimeType = 0;
                boolean declaration = false;
                boolean inline = false;
                int[] attrs = a.attributes();
                int[] forms = a.forms();
                for (int i = 0; i < attrs.length; i++) {
                    int form = forms[i];
                    if (form == DwForm.INDIRECT) {
                        form = (int) Math.min(info.uvarint(p, next), Integer.MAX_VALUE);
                        p = next[0];
                    }
                    p = readForm(u, p, form, a.implicitConstants()[i], out);
                    if (!keep) {
                        continue;
                    }
                    switch (attrs[i]) {
                        case DwAt.NAME -> {
                            nameForm = form;
                            name = out[0];
                        }
                        case DwAt.LOW_PC -> {
                            lowForm = form;
                            low = out[0];
                        }
                        case DwAt.HIGH_PC -> {
                            highForm = form;
                            high = out[0];
                        }
                        case DwAt.ABSTRACT_ORIGIN, DwAt.SPECIFICATION -> origin = form == DwForm.REF_ADDR || isUnitRef(form) ? out[0] : -1;
                        case DwAt.DECLARATION -> declaration = out[0] != 0;
                        case DwAt.INLINE -> inline = out[0] != 0;
                        case DwAt.GO_RUNTIME_TYPE -> runtimeType = form == DwForm.ADDR ? out[0] : 0;
                        default -> { }
                    }
                }
                if (p > u.end()) {
                    throw info.error(dieOffset, "DIE runs past the end of its unit");
                }
                if (keep) {
                    String n = nameForm == 0 ? null : stringValue(u, nameForm, name);
                    if (tag == DwTag.SUBPROGRAM) {
                        if (inline && n != null) {
                            abstractNames.put(dieOffset, n);
                        }
                        if (lowForm != 0) {
                            long lowPc = lowForm == DwForm.ADDR ? low : indexedAddress(u, low);
                            long highPc = highForm == DwForm.ADDR ? high
                                    : highForm == 0 ? lowPc : isAddrx(highForm) ? indexedAddress(u, high) : lowPc + high;
                            ranges.add(new long[] {lowPc, highPc, dieOffset});
                            if (n != null) {
                                functions.putIfAbsent(n, dieOffset);
                            } else if (origin >= 0) {
                                nameless.add(new long[] {origin, dieOffset});
                            }
                        } else if (n != null && !inline && !declaration && origin < 0) {
                            abstractNames.putIfAbsent(dieOffset, n);
                        }
                    } else if (tag == DwTag.VARIABLE) {
                        if (n != null && !declaration) {
                            variables.putIfAbsent(n, dieOffset);
                        }
                    } else {
                        if (n != null && !declaration) {
                            types.putIfAbsent(n, dieOffset);
                        }
                        if (runtimeType != 0) {
                            runtimeTypes.putIfAbsent(runtimeType, dieOffset);
                        }
                    }
                }
                if (a.hasChildren() && ++depth > MAX_DEPTH) {
                    throw info.error(dieOffset, "DIEs nested more than " + MAX_DEPTH + " deep");
                }
            }
        }
        for (long[] n : nameless) {
            String name = abstractNames.get(n[0]);
            if (name != null) {
                functions.putIfAbsent(name, n[1]);
            }
        }
        ranges.sort((x, y) -> Long.compare(x[0], y[0]));
        long[] lows = new long[ranges.size()];
        long[] highs = new long[ranges.size()];
        long[] dies = new long[ranges.size()];
        for (int i = 0; i < lows.length; i++) {
            lows[i] = ranges.get(i)[0];
            highs[i] = ranges.get(i)[1];
            dies[i] = ranges.get(i)[2];
        }
        return new Index(Collections.unmodifiableMap(functions), Collections.unmodifiableMap(types),
                Collections.unmodifiableMap(variables), Collections.unmodifiableMap(runtimeTypes), lows, highs, dies);
    }

    private static boolean isUnitRef(int form) {
        return form == DwForm.REF1 || form == DwForm.REF2 || form == DwForm.REF4 || form == DwForm.REF8 || form == DwForm.REF_UDATA;
    }

    private static boolean isAddrx(int form) {
        return form == DwForm.ADDRX || (form >= DwForm.ADDRX1 && form <= DwForm.ADDRX4) || form == DwForm.GNU_ADDR_INDEX;
    }

    /** True for the tags of type DIEs. */
    public static boolean isType(int tag) {
        return switch (tag) {
            case DwTag.BASE_TYPE, DwTag.POINTER_TYPE, DwTag.STRUCTURE_TYPE, DwTag.TYPEDEF, DwTag.ARRAY_TYPE, DwTag.SUBROUTINE_TYPE,
                 DwTag.UNION_TYPE, DwTag.ENUMERATION_TYPE, DwTag.UNSPECIFIED_TYPE, DwTag.CONST_TYPE, DwTag.VOLATILE_TYPE,
                 DwTag.RESTRICT_TYPE, DwTag.ATOMIC_TYPE -> true;
            default -> false;
        };
    }

    /** The DIE offset of the function whose code contains {@code pc}, or -1. */
    public long functionDieAt(long pc) {
        long[] lows = index.functionLows();
        int i = Arrays.binarySearch(lows, pc);
        int at = i >= 0 ? i : -i - 2;
        // Ranges do not overlap for Go; for C units, step back over a few nested candidates.
        for (int k = at; k >= 0 && k > at - 8; k--) {
            if (pc >= lows[k] && pc < index.functionHighs()[k]) {
                return index.functionDies()[k];
            }
        }
        return -1;
    }

    /** The file the sections come from, for messages. */
    public java.nio.file.Path file() {
        return elf.path();
    }

    /** An error located in {@code .debug_info}. */
    public BinaryFormatException error(long offset, String message) {
        return info.error(offset, message);
    }
}
