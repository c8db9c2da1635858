package dev.loupe.dwarf.pclntab;

import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.elf.ElfFile;
import dev.loupe.dwarf.elf.ProgramHeader;
import dev.loupe.dwarf.elf.Section;
import dev.loupe.dwarf.internal.ByteView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds {@code runtime.firstmoduledata} without symbols: it is the one place whose first word
 * points at the pclntab header and whose {@code funcnametab} and {@code ftab} slices point
 * into it. Word indices of {@code moduledata} (64-bit, {@code runtime/symtab.go}):
 * <pre>
 *   0 pcHeader  1-3 funcnametab  4-6 cutab  7-9 filetab  10-12 pctab  13-15 pclntable
 *   16-18 ftab  19 findfunctab  20 minpc  21 maxpc  22 text  23 etext  24-31 data bounds
 *   Go 1.20+: 32-33 covctrs  34 end  35 gcdata  36 gcbss  37 types  38 etypes  39 rodata  40 gofunc
 *   Go 1.18-1.19 (no covctrs): 32 end ... 37 rodata  38 gofunc
 * </pre>
 */
final class ModuleDataLocator {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int WORDS = 41;

    private ModuleDataLocator() {}

    /**
     * @param pcHeader       the pclntab's link-time address
     * @param funcnameOffset {@code pcHeader.funcnameOffset}
     * @param pclnOffset     {@code pcHeader.pclnOffset}
     * @param nfunc          {@code pcHeader.nfunc}
     */
    static Optional<ModuleData> find(ElfFile elf, long pcHeader, PclntabFormat format, long funcnameOffset,
                                     long pclnOffset, int nfunc) {
        for (long candidate : candidates(elf, pcHeader)) {
            Optional<ModuleData> md = validate(elf, candidate, pcHeader, format, funcnameOffset, pclnOffset, nfunc);
            if (md.isPresent()) {
                return md;
            }
        }
        return Optional.empty();
    }

    private static List<Long> candidates(ElfFile elf, long pcHeader) {
        List<Long> out = new ArrayList<>();
        if (elf.header().isPositionIndependent()) {
            for (long slot : elf.relativeRelocationsTo(pcHeader)) {
                out.add(slot);
            }
        }
        for (ByteView area : searchAreas(elf)) {
            MemorySegment mem = area.segment();
            long base = addressOf(elf, area);
            for (long o = (8 - (base & 7)) & 7; o + 8 <= mem.byteSize(); o += 8) {
                if (mem.get(U64, o) == pcHeader) {
                    out.add(base + o);
                }
            }
        }
        return out;
    }

    /** {@code .go.module} (Go 1.26+), else the data sections, else every writable segment. */
    private static List<ByteView> searchAreas(ElfFile elf) {
        List<ByteView> out = new ArrayList<>();
        for (String name : List.of(".go.module", ".noptrdata", ".data", ".data.rel.ro")) {
            Optional<Section> s = elf.section(name);
            if (s.isPresent() && s.get().type() != Section.SHT_NOBITS) {
                out.add(elf.data(s.get()));
                if (name.equals(".go.module")) {
                    return out;
                }
            }
        }
        if (out.isEmpty()) {
            for (ProgramHeader p : elf.programHeaders()) {
                if (p.isLoad() && (p.flags() & ProgramHeader.PF_W) != 0 && p.filesz() > 0) {
                    out.add(elf.memory(p.vaddr()));
                }
            }
        }
        return out;
    }

    private static long addressOf(ElfFile elf, ByteView area) {
        for (ProgramHeader p : elf.programHeaders()) {
            long rel = area.fileOffset() - p.offset();
            if (p.isLoad() && rel >= 0 && rel < p.filesz()) {
                return p.vaddr() + rel;
            }
        }
        throw area.error(0, "data section is not in a loaded segment");
    }

    private static Optional<ModuleData> validate(ElfFile elf, long m, long pcHeader, PclntabFormat format,
                                                 long funcnameOffset, long pclnOffset, int nfunc) {
        try {
            ByteView words = elf.memory(m);
            if (words.size() < 8L * WORDS) {
                return Optional.empty();
            }
            if (word(elf, m, 1) != pcHeader + funcnameOffset || word(elf, m, 16) != pcHeader + pclnOffset
                    || words.u64(8 * 17) != nfunc + 1L) {
                return Optional.empty();
            }
            long minpc = word(elf, m, 20);
            long maxpc = word(elf, m, 21);
            long text = word(elf, m, 22);
            long etext = word(elf, m, 23);
            if (Long.compareUnsigned(text, minpc) > 0 || Long.compareUnsigned(minpc, maxpc) > 0
                    || Long.compareUnsigned(maxpc, etext) > 0) {
                return Optional.empty();
            }
            long gofunc = word(elf, m, format == PclntabFormat.GO_1_20 ? 40 : 38);
            return Optional.of(new ModuleData(m, minpc, maxpc, text, etext, elf.loadSegment(gofunc).isPresent() ? gofunc : -1));
        } catch (BinaryFormatException e) {
            // A pointer-sized coincidence near the end of a segment, not the moduledata.
            return Optional.empty();
        }
    }

    private static long word(ElfFile elf, long m, int index) {
        return elf.readAddress(m + 8L * index);
    }
}
