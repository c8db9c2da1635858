package dev.loupe.dwarf.pclntab;

import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.elf.ElfFile;
import dev.loupe.dwarf.elf.ElfSymbol;
import dev.loupe.dwarf.elf.ProgramHeader;
import dev.loupe.dwarf.elf.Section;
import dev.loupe.dwarf.internal.ByteView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Go binary's pclntab: the table the runtime itself uses for tracebacks.
 *
 * <p>Layout ({@code runtime/symtab.go}, {@code pcHeader}): after the magic, two zero pad
 * bytes, the pc quantum ({@code minLC}) and the pointer size, come pointer-sized fields
 * {@code nfunc}, {@code nfiles}, {@code textStart} (unused since Go 1.26: the moduledata's
 * {@code text} is authoritative), and the offsets of five tables from the header:
 * <pre>
 *   funcnametab  NUL-terminated function names          (_func.nameOff, inlinedCall.nameOff)
 *   cutab        uint32 file offsets per compilation unit (_func.cuOffset + pcfile value)
 *   filetab      NUL-terminated file names
 *   pctab        pc-value tables: varint (zig-zag value delta, pc delta / quantum) pairs
 *   pclntable    functab {entryOff, funcOff uint32} × (nfunc+1), then the _func records
 * </pre>
 * Function entries are offsets from {@code runtime.text}; funcdata (the inline tree among
 * them) are offsets from {@code go:func.*}; both bases are read from {@code runtime.moduledata},
 * found by searching the data for a pointer to the pclntab, so stripped binaries work too.
 *
 * <p>Lookups by pc are a binary search over an {@code int[]} of entry offsets, then a decode of
 * the function's pc-value tables; instances are immutable and safe to share between threads.
 */
public final class Pclntab {
    /** {@code abi.PCDATA_InlTreeIndex}: which inline-tree entry a pc belongs to. */
    static final int PCDATA_INL_TREE_INDEX = 2;
    /** {@code abi.FUNCDATA_InlTree}: the function's inline tree (inlinedCall array). */
    static final int FUNCDATA_INL_TREE = 3;
    /** Deepest inline expansion accepted: more means a cycle in corrupt data. */
    private static final int MAX_INLINE_DEPTH = 4096;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ElfFile elf;
    private final long address;
    private final PclntabFormat format;
    private final int quantum;
    private final ByteView funcnametab;
    private final ByteView cutab;
    private final ByteView filetab;
    private final ByteView pctab;
    private final ByteView pclntable;
    /** pctab copied to the heap: the pc-value decoding loop is the hot path of every lookup. */
    private final byte[] pctabBytes;
    private final ModuleData moduleData;
    private final long text;
    private final ByteView gofunc;
    private final int nfunc;
    /** {@code functab[i].entryOff} for i in [0, nfunc]; the last is the end of text. */
    private final int[] entryOffs;
    /** {@code functab[i].funcOff}: where function i's {@code _func} starts in pclntable. */
    private final int[] funcOffs;
    /**
     * Decoded names, by {@code nameOff}, and file names, by cutab index: filled on first use
     * (racy but safe, Strings being immutable), so repeated lookups allocate nothing.
     */
    private final Map<Integer, String> names = new ConcurrentHashMap<>();
    private final String[] files;

    private Pclntab(ElfFile elf, ByteView tab, long address) {
        this.elf = elf;
        this.address = address;
        this.format = PclntabFormat.ofMagic(tab.u32(0));
        this.quantum = tab.u8(6);
        this.nfunc = (int) tab.u64(8);
        long[] off = new long[5];
        for (int i = 0; i < 5; i++) {
            off[i] = tab.u64(32 + 8L * i);
        }
        this.funcnametab = tab.slice(off[0], off[1] - off[0], tab.name() + " funcnametab");
        this.cutab = tab.slice(off[1], off[2] - off[1], tab.name() + " cutab");
        this.filetab = tab.slice(off[2], off[3] - off[2], tab.name() + " filetab");
        this.pctab = tab.slice(off[3], off[4] - off[3], tab.name() + " pctab");
        this.pclntable = tab.slice(off[4], tab.size() - off[4], tab.name() + " pclntable");
        if (pctab.size() > Integer.MAX_VALUE - 64) {
            throw pctab.error(0, "pctab of " + pctab.size() + " bytes is implausibly large");
        }
        this.pctabBytes = pctab.segment().toArray(ValueLayout.JAVA_BYTE);
        this.files = new String[(int) Math.min(cutab.size() / 4, Integer.MAX_VALUE - 64)];
        this.moduleData = ModuleDataLocator.find(elf, address, format, off[0], off[4], nfunc).orElse(null);
        this.text = textStart(tab);
        this.gofunc = gofuncView();
        this.entryOffs = new int[nfunc + 1];
        this.funcOffs = new int[nfunc];
        readFunctab();
    }

    /**
     * Finds and indexes the pclntab of {@code elf}: the {@code .gopclntab} section (or
     * {@code .data.rel.ro.gopclntab}), else a search of the loaded segments for a valid header.
     *
     * @throws BinaryFormatException if there is none (not a Go binary, or Go older than 1.18)
     *                               or it is inconsistent
     */
    public static Pclntab read(ElfFile elf) {
        try {
            return locate(elf);
        } catch (BinaryFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BinaryFormatException(elf.path(), ".gopclntab", -1, "malformed function table (" + e + ")", e);
        }
    }

    private static Pclntab locate(ElfFile elf) {
        for (String name : List.of(".gopclntab", ".data.rel.ro.gopclntab")) {
            Optional<Section> s = elf.section(name);
            if (s.isPresent()) {
                ByteView tab = elf.data(s.get());
                String problem = headerProblem(tab);
                if (problem != null) {
                    throw tab.error(0, problem);
                }
                return new Pclntab(elf, tab, s.get().addr());
            }
        }
        return scan(elf);
    }

    /** Which pclntab layout this is. */
    public PclntabFormat format() {
        return format;
    }

    /** The link-time address of the pclntab header ({@code runtime.pclntab}). */
    public long address() {
        return address;
    }

    /** The pc quantum: 1 on amd64, 4 on arm64. */
    public int quantum() {
        return quantum;
    }

    /** {@code runtime.text}, the base of all function entry offsets. */
    public long textStart() {
        return text;
    }

    /** The moduledata, when it was found (always, for well-formed Go 1.18+ binaries). */
    public Optional<ModuleData> moduleData() {
        return Optional.ofNullable(moduleData);
    }

    /** True when inline trees can be read (the {@code go:func.*} base is known). */
    public boolean hasInlineTrees() {
        return gofunc != null;
    }

    public int functionCount() {
        return nfunc;
    }

    /** Function {@code index} (0 ≤ index &lt; {@link #functionCount()}), in entry-pc order. */
    public Func function(int index) {
        try {
            FuncHeader f = header(index);
            return new Func(index, name(f.nameOff), f.entry, text + Integer.toUnsignedLong(entryOffs[index + 1]),
                    f.startLine, f.funcId, f.flag);
        } catch (BinaryFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw wrap(e, "function " + index);
        }
    }

    /** All functions, in entry-pc order; each element is decoded when it is read. */
    public List<Func> functions() {
        return new AbstractList<>() {
            @Override
            public Func get(int index) {
                return function(index);
            }

            @Override
            public int size() {
                return nfunc;
            }
        };
    }

    /** The index of the function containing {@code pc}, or -1 (binary search). */
    public int functionIndex(long pc) {
        long off = pc - text;
        if (off < 0 || off >= Integer.toUnsignedLong(entryOffs[nfunc])) {
            return -1;
        }
        int lo = 0;
        int hi = nfunc - 1;
        // The last function whose entry is <= off, as runtime.findfunc picks it.
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (Integer.toUnsignedLong(entryOffs[mid]) <= off) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return Integer.toUnsignedLong(entryOffs[lo]) <= off ? lo : -1;
    }

    /** The function containing {@code pc}. */
    public Optional<Func> functionAt(long pc) {
        int i = functionIndex(pc);
        return i < 0 ? Optional.empty() : Optional.of(function(i));
    }

    /**
     * The innermost source position of {@code pc} ({@code runtime.funcline1}): for code inlined
     * into the function, the inlined code's position. {@code go tool addr2line} prints this
     * line under the name of the real (outermost) function.
     */
    public SourceLine line(long pc) {
        int i = functionIndex(pc);
        if (i < 0) {
            return SourceLine.UNKNOWN;
        }
        try {
            return fileLine(header(i), pc);
        } catch (BinaryFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw wrap(e, "pc 0x" + Long.toHexString(pc));
        }
    }

    /**
     * The logical frames at {@code pc}, innermost first: the frames inlined at that pc, then the
     * real function, with the names and file:line {@code runtime.Stack} prints for them. Pass the
     * pc of the instruction of interest: for a caller's frame that is its return address - 1
     * (what the runtime calls the frame's "symPC"). Empty when no function contains {@code pc}.
     *
     * <p>Follows {@code runtime.inlineUnwinder}: the frame's inline-tree index comes from
     * {@code PCDATA_InlTreeIndex} at the pc; an inlined frame's caller is found by repeating the
     * lookup at {@code entry + inlinedCall.parentPc}, an instruction whose position is the call site.
     */
    public List<Frame> frames(long pc) {
        int i = functionIndex(pc);
        if (i < 0) {
            return List.of();
        }
        try {
            FuncHeader f = header(i);
            List<Frame> out = new ArrayList<>(4);
            long cur = pc;
            int inl = gofunc == null ? -1 : pcvalue(f, pcdataOffset(f, PCDATA_INL_TREE_INDEX), cur);
            long tree = gofunc == null ? -1 : funcdataOffset(f, FUNCDATA_INL_TREE);
            while (inl >= 0 && tree >= 0) {
                if (out.size() >= MAX_INLINE_DEPTH) {
                    throw pclntable.error(f.offset, "inline tree of " + name(f.nameOff) + " is deeper than " + MAX_INLINE_DEPTH);
                }
                long e = tree + (long) inl * format.inlinedCallSize;
                int nameOff;
                int funcId;
                int startLine;
                int parentPc;
                if (format == PclntabFormat.GO_1_20) {
                    funcId = gofunc.u8(e);
                    nameOff = gofunc.i32(e + 4);
                    parentPc = gofunc.i32(e + 8);
                    startLine = gofunc.i32(e + 12);
                } else {
                    funcId = gofunc.u8(e + 2);
                    nameOff = gofunc.i32(e + 12);
                    parentPc = gofunc.i32(e + 16);
                    startLine = 0;
                }
                SourceLine pos = fileLine(f, cur);
                out.add(new Frame(name(nameOff), pos.file(), pos.line(), cur, true, funcId, startLine));
                cur = f.entry + Integer.toUnsignedLong(parentPc);
                inl = pcvalue(f, pcdataOffset(f, PCDATA_INL_TREE_INDEX), cur);
            }
            SourceLine pos = fileLine(f, cur);
            out.add(new Frame(name(f.nameOff), pos.file(), pos.line(), cur, false, f.funcId, f.startLine));
            return out;
        } catch (BinaryFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw wrap(e, "pc 0x" + Long.toHexString(pc));
        }
    }

    /**
     * The stack-pointer delta at {@code pc} from the function's {@code pcsp} table: how many
     * bytes the function has pushed below its entry stack pointer (the caller's return address
     * not counted), so the frame's canonical frame address is SP + delta + pointer size on
     * amd64. -1 when no function contains {@code pc} or the table has no entry for it.
     */
    public int spDelta(long pc) {
        int i = functionIndex(pc);
        if (i < 0) {
            return -1;
        }
        try {
            FuncHeader f = header(i);
            return pcvalue(f, f.pcsp, pc);
        } catch (BinaryFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw wrap(e, "pc 0x" + Long.toHexString(pc));
        }
    }

    /**
     * The whole {@code pcsp} table of the function containing {@code pc}: its runs of pcs with one
     * {@link #spDelta}, in order; empty when no function contains {@code pc}.
     */
    public List<SpDelta> spDeltas(long pc) {
        int i = functionIndex(pc);
        if (i < 0) {
            return List.of();
        }
        try {
            FuncHeader f = header(i);
            List<SpDelta> runs = new ArrayList<>();
            pcvalue(f, f.pcsp, Long.MAX_VALUE, runs);
            return runs;
        } catch (BinaryFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw wrap(e, "pc 0x" + Long.toHexString(pc));
        }
    }

    /** The pcs {@code [low, high)} at which a function has pushed {@code delta} bytes. */
    public record SpDelta(long low, long high, int delta) {}

    @Override
    public String toString() {
        return "Pclntab[" + format + ", " + nfunc + " functions, text 0x" + Long.toHexString(text) + "]";
    }

    /** Decoded fixed part of a {@code _func} ({@code runtime/runtime2.go}). */
    private record FuncHeader(long offset, long entry, int nameOff, int pcsp, int pcfile, int pcln, int npcdata,
                              long cuOffset, int startLine, int funcId, int flag, int nfuncdata) {}

    private FuncHeader header(int index) {
        long o = Integer.toUnsignedLong(funcOffs[index]);
        int fixed = format.funcIdOffset + 4;
        pclntable.check(o, fixed);
        long entryOff = pclntable.u32(o);
        if (entryOff != Integer.toUnsignedLong(entryOffs[index])) {
            throw pclntable.error(o, "_func.entryOff 0x" + Long.toHexString(entryOff) + " of function " + index
                    + " disagrees with the function table's 0x" + Integer.toHexString(entryOffs[index]));
        }
        int startLine = format == PclntabFormat.GO_1_20 ? pclntable.i32(o + 36) : 0;
        int idOff = format.funcIdOffset;
        return new FuncHeader(o, text + entryOff, pclntable.i32(o + 4), pclntable.i32(o + 16), pclntable.i32(o + 20),
                pclntable.i32(o + 24), pclntable.i32(o + 28), pclntable.u32(o + 32), startLine,
                pclntable.u8(o + idOff), pclntable.u8(o + idOff + 1), pclntable.u8(o + idOff + 3));
    }

    /** {@code runtime.pcdatastart}: the pctab offset of pcdata table {@code table}, 0 if none. */
    private int pcdataOffset(FuncHeader f, int table) {
        if (table >= Integer.toUnsignedLong(f.npcdata)) {
            return 0;
        }
        return pclntable.i32(f.offset + format.funcIdOffset + 4 + 4L * table);
    }

    /** {@code runtime.funcdata}: the offset of funcdata {@code i} from {@code go:func.*}, -1 if nil. */
    private long funcdataOffset(FuncHeader f, int i) {
        if (i >= f.nfuncdata) {
            return -1;
        }
        long raw = pclntable.u32(f.offset + format.funcIdOffset + 4 + 4 * Integer.toUnsignedLong(f.npcdata) + 4L * i);
        return raw == 0xffffffffL ? -1 : raw;
    }

    /**
     * {@code runtime.pcvalue}, non-strict: the value of the table at pctab offset {@code off}
     * for {@code target}, or -1. Each step is a zig-zag varint value delta (a zero ends the
     * table, except as the first step) and a varint pc delta in units of the quantum; the value
     * holds from the previous pc up to the new one.
     */
    private int pcvalue(FuncHeader f, int off, long target) {
        return pcvalue(f, off, target, null);
    }

    /** The value at {@code target}; every run before it (all of them, for a target past the end) into {@code runs}. */
    private int pcvalue(FuncHeader f, int off, long target, List<SpDelta> runs) {
        if (off == 0) {
            return -1;
        }
        if (off < 0 || off >= pctabBytes.length) {
            throw pclntable.error(f.offset, "pc-value table offset 0x" + Integer.toHexString(off) + " of " + name(f.nameOff)
                    + " is outside pctab");
        }
        byte[] t = pctabBytes;
        int p = off;
        long pc = f.entry;
        int val = -1;
        try {
            while (true) {
                boolean first = pc == f.entry;
                int uv = t[p++];
                if (uv < 0) {
                    uv &= 0x7f;
                    int shift = 7;
                    int b;
                    do {
                        b = t[p++];
                        uv |= (b & 0x7f) << shift;
                        shift += 7;
                    } while (b < 0 && shift <= 28);
                    if (b < 0) {
                        throw pctab.error(p, "pc-value table at 0x" + Integer.toHexString(off) + " of " + name(f.nameOff)
                                + " has an over-long varint");
                    }
                }
                if (uv == 0 && !first) {
                    return -1;
                }
                val += (uv & 1) != 0 ? ~(uv >>> 1) : uv >>> 1;
                int pcDelta = t[p++];
                if (pcDelta < 0) {
                    pcDelta &= 0x7f;
                    int shift = 7;
                    int b;
                    do {
                        b = t[p++];
                        pcDelta |= (b & 0x7f) << shift;
                        shift += 7;
                    } while (b < 0 && shift <= 28);
                    if (b < 0) {
                        throw pctab.error(p, "pc-value table at 0x" + Integer.toHexString(off) + " of " + name(f.nameOff)
                                + " has an over-long varint");
                    }
                }
                long from = pc;
                pc += Integer.toUnsignedLong(pcDelta) * quantum;
                if (runs != null) {
                    runs.add(new SpDelta(from, pc, val));
                }
                if (target < pc) {
                    return val;
                }
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw pctab.error(Math.min(p, t.length), "pc-value table at 0x" + Integer.toHexString(off) + " of " + name(f.nameOff)
                    + " runs past the end of pctab");
        }
    }

    /** {@code runtime.funcline1}, non-strict. */
    private SourceLine fileLine(FuncHeader f, long pc) {
        int fileno = pcvalue(f, f.pcfile, pc);
        int line = pcvalue(f, f.pcln, pc);
        if (fileno == -1 || line == -1) {
            return SourceLine.UNKNOWN;
        }
        return new SourceLine(fileName(f.cuOffset + Integer.toUnsignedLong(fileno)), line);
    }

    /** {@code runtime.funcfile}: the file at compilation-unit file index {@code index}. */
    private String fileName(long index) {
        if (index < 0 || index >= files.length) {
            throw cutab.error(4 * index, "file index " + index + " is outside cutab");
        }
        String file = files[(int) index];
        if (file == null) {
            long fileOff = cutab.u32(4 * index);
            file = fileOff == 0xffffffffL ? "?" : filetab.cString(fileOff);
            files[(int) index] = file;
        }
        return file;
    }

    private String name(int nameOff) {
        String cached = names.get(nameOff);
        if (cached != null) {
            return cached;
        }
        String name = funcnametab.cString(Integer.toUnsignedLong(nameOff));
        names.put(nameOff, name);
        return name;
    }

    private BinaryFormatException wrap(RuntimeException e, String what) {
        return new BinaryFormatException(elf.path(), ".gopclntab", -1, "cannot read the function table at " + what + " (" + e + ")", e);
    }

    private void readFunctab() {
        pclntable.check(0, 8L * (nfunc + 1));
        MemorySegment seg = pclntable.segment();
        long prev = 0;
        for (int i = 0; i <= nfunc; i++) {
            int entry = seg.get(U32, 8L * i);
            if (Integer.toUnsignedLong(entry) < prev) {
                throw pclntable.error(8L * i, "function table is not sorted: entry 0x" + Integer.toHexString(entry)
                        + " of function " + i + " is below the previous one's 0x" + Long.toHexString(prev));
            }
            prev = Integer.toUnsignedLong(entry);
            entryOffs[i] = entry;
            if (i < nfunc) {
                funcOffs[i] = seg.get(U32, 8L * i + 4);
            }
        }
    }

    /** {@code runtime.text}: from the moduledata, else the old header field, the symbol, or {@code .text}. */
    private long textStart(ByteView tab) {
        if (moduleData != null) {
            return moduleData.text();
        }
        long fromHeader = tab.u64(24);
        if (fromHeader != 0 && !elf.header().isPositionIndependent()) {
            return fromHeader;
        }
        return elf.symbol("runtime.text").map(ElfSymbol::value)
                .or(() -> elf.section(".text").map(Section::addr))
                .orElseThrow(() -> tab.error(24, "cannot find runtime.text: no moduledata, symbol or .text section"));
    }

    /** The bytes from {@code go:func.*} on, or null when its address is unknown. */
    private ByteView gofuncView() {
        long addr = moduleData != null && moduleData.gofunc() >= 0 ? moduleData.gofunc()
                : elf.symbol("go:func.*").or(() -> elf.symbol("go.func.*")).map(ElfSymbol::value).orElse(-1L);
        if (addr < 0 || elf.loadSegment(addr).isEmpty()) {
            return null;
        }
        return elf.memory(addr);
    }

    /**
     * Why {@code tab} is not a pclntab this reader understands, or null if it is: known magic,
     * zero pads, quantum 1, 2 or 4, 8-byte pointers, and the five tables in order inside it.
     */
    static String headerProblem(ByteView tab) {
        if (tab.size() < 72) {
            return "too short for a pclntab header (" + tab.size() + " bytes)";
        }
        long magic = tab.u32(0);
        if (PclntabFormat.ofMagic(magic) == null) {
            return "unsupported pclntab magic 0x" + Long.toHexString(magic)
                    + " (Loupe reads the Go 1.18+ formats 0xfffffff0 and 0xfffffff1)";
        }
        int q = tab.u8(6);
        if (tab.u8(4) != 0 || tab.u8(5) != 0 || (q != 1 && q != 2 && q != 4) || tab.u8(7) != 8) {
            return "bad pclntab header (pad " + tab.u8(4) + "," + tab.u8(5) + ", quantum " + q + ", pointer size " + tab.u8(7) + ")";
        }
        long nfunc = tab.u64(8);
        long prev = 72;
        for (int i = 0; i < 5; i++) {
            long off = tab.u64(32 + 8L * i);
            if (off < prev || off > tab.size()) {
                return "pclntab table offset " + i + " (0x" + Long.toHexString(off) + ") is out of order or past the end";
            }
            prev = off;
        }
        if (nfunc < 0 || nfunc >= (tab.size() - prev) / 8) {
            return "pclntab declares " + Long.toUnsignedString(nfunc) + " functions, more than its "
                    + (tab.size() - prev) + "-byte function table can hold";
        }
        return null;
    }

    /** Searches the non-executable loaded segments for a valid pclntab header (binaries without section headers). */
    private static Pclntab scan(ElfFile elf) {
        for (ProgramHeader p : elf.programHeaders()) {
            if (!p.isLoad() || (p.flags() & ProgramHeader.PF_X) != 0 || p.filesz() < 72) {
                continue;
            }
            ByteView seg = elf.memory(p.vaddr());
            MemorySegment mem = seg.segment();
            long start = (4 - (p.vaddr() & 3)) & 3;
            for (long o = start; o + 72 <= mem.byteSize(); o += 4) {
                int w = mem.get(U32, o);
                if ((w == PclntabFormat.GO_1_20.magic() || w == PclntabFormat.GO_1_18.magic())
                        && headerProblem(seg.from(o)) == null) {
                    return new Pclntab(elf, seg.slice(o, mem.byteSize() - o, "pclntab"), p.vaddr() + o);
                }
            }
        }
        throw new BinaryFormatException(elf.path(), ".gopclntab", -1,
                "no Go function table (pclntab, Go 1.18 or later) found: not a Go binary, or built by an older Go");
    }
}
