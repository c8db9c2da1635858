package dev.loupe.dwarf.elf;

import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.internal.ByteView;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A 64-bit little-endian ELF file, memory-mapped read-only. Headers are parsed when the file
 * is opened; symbols, notes, relocations and section contents (decompressed when needed)
 * on first use. Closing the file unmaps it: views handed out before become unusable.
 *
 * <p>All reads are bounds-checked against the file: a truncated or inconsistent file gives a
 * {@link BinaryFormatException} naming the file, the section and the offset.
 */
public final class ElfFile implements AutoCloseable {
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int PHDR_SIZE = 56;
    private static final int SYM_SIZE = 24;
    private static final int RELA_SIZE = 24;
    private static final int SHN_XINDEX = 0xffff;
    private static final int PN_XNUM = 0xffff;
    private static final int DT_NULL = 0;
    private static final int DT_RELA = 7;
    private static final int DT_RELASZ = 8;
    private static final int R_X86_64_RELATIVE = 8;
    private static final int R_AARCH64_RELATIVE = 1027;

    private final Path path;
    private final Arena arena;
    private final ByteView file;
    private final ElfHeader header;
    private final List<ProgramHeader> programHeaders;
    private final List<Section> sections;
    private final Map<Integer, ByteView> sectionData = new ConcurrentHashMap<>();
    private volatile List<ElfSymbol> symbols;
    private volatile List<ElfSymbol> dynamicSymbols;
    private volatile List<ElfNote> notes;
    private volatile long[] relativeRelocations;

    private ElfFile(Path path, Arena arena, ByteView file) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.header = readHeader();
        this.programHeaders = readProgramHeaders();
        this.sections = readSections();
    }

    /**
     * Maps and parses {@code path}.
     *
     * @throws BinaryFormatException if the path is not a readable regular file, or not a
     *                               64-bit little-endian ELF file with consistent headers
     */
    public static ElfFile open(Path path) {
        if (Files.isDirectory(path)) {
            throw new BinaryFormatException(path, null, -1, "is a directory, not an executable");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < EHDR_SIZE) {
                throw new BinaryFormatException(path, "ELF header", 0, "file is " + size + " bytes, too short for an ELF header");
            }
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            ElfFile elf = new ElfFile(path, arena, new ByteView(mapped, path, "file", 0));
            arena = null;
            return elf;
        } catch (NoSuchFileException e) {
            throw new BinaryFormatException(path, null, -1, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new BinaryFormatException(path, null, -1, "permission denied", e);
        } catch (IOException e) {
            throw new BinaryFormatException(path, null, -1, "cannot read: " + e.getMessage(), e);
        } catch (BinaryFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BinaryFormatException(path, null, -1, "malformed ELF file (" + e + ")", e);
        } finally {
            if (arena != null) {
                arena.close();
            }
        }
    }

    public Path path() {
        return path;
    }

    public ElfHeader header() {
        return header;
    }

    public List<ProgramHeader> programHeaders() {
        return programHeaders;
    }

    /** All sections in index order; empty when the file has no section headers. */
    public List<Section> sections() {
        return sections;
    }

    /** The first section called {@code name}. */
    public Optional<Section> section(String name) {
        for (Section s : sections) {
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The whole file. */
    public ByteView bytes() {
        return file;
    }

    /**
     * A section's contents, decompressed if it is {@code SHF_COMPRESSED} (zlib or zstd) or a
     * GNU {@code .zdebug_*} section ("ZLIB" and a big-endian 64-bit size, then a zlib stream).
     * {@code SHT_NOBITS} sections are empty. Decompressed contents are cached.
     */
    public ByteView data(Section s) {
        if (s.type() == Section.SHT_NOBITS) {
            return new ByteView(MemorySegment.NULL, path, s.name(), s.offset());
        }
        ByteView raw = rawData(s);
        if (s.isCompressed() || (s.name().startsWith(".zdebug_") && raw.startsWith(0, SectionDecompressor.ZLIB_GNU_MAGIC))) {
            return sectionData.computeIfAbsent(s.index(), i -> SectionDecompressor.decompress(raw, s.isCompressed()));
        }
        return raw;
    }

    /** The contents of the section called {@code name}, if there is one. */
    public Optional<ByteView> data(String name) {
        return section(name).map(this::data);
    }

    /**
     * The DWARF section {@code .debug_<suffix>} (e.g. "info", "line"), or its GNU-compressed
     * twin {@code .zdebug_<suffix>}, decompressed.
     */
    public Optional<ByteView> dwarfSection(String suffix) {
        Optional<Section> s = section(".debug_" + suffix).or(() -> section(".zdebug_" + suffix));
        return s.map(this::data);
    }

    /** True when the file carries DWARF ({@code .debug_info} or {@code .zdebug_info}). */
    public boolean hasDwarf() {
        return section(".debug_info").isPresent() || section(".zdebug_info").isPresent();
    }

    /** The section's bytes as stored in the file (compressed ones still compressed). */
    public ByteView rawData(Section s) {
        if (s.type() == Section.SHT_NOBITS) {
            return new ByteView(MemorySegment.NULL, path, s.name(), s.offset());
        }
        if (s.offset() < 0 || s.size() < 0 || s.offset() > file.size() - s.size()) {
            throw new BinaryFormatException(path, s.name(), s.offset(), "section of " + s.size()
                    + " bytes extends past the end of the " + file.size() + "-byte file");
        }
        return file.slice(s.offset(), s.size(), s.name());
    }

    /** The {@code PT_LOAD} segment whose file-backed bytes contain {@code vaddr}. */
    public Optional<ProgramHeader> loadSegment(long vaddr) {
        for (ProgramHeader p : programHeaders) {
            if (p.isLoad() && p.containsFileBackedAddress(vaddr)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The file offset holding the byte at link-time address {@code vaddr}, if it is in the file. */
    public OptionalLong fileOffset(long vaddr) {
        return loadSegment(vaddr).map(p -> OptionalLong.of(p.offset() + (vaddr - p.vaddr()))).orElse(OptionalLong.empty());
    }

    /**
     * The file bytes from link-time address {@code vaddr} to the end of its segment's file
     * image, named after the section holding {@code vaddr} (for error messages).
     *
     * @throws BinaryFormatException if no {@code PT_LOAD} segment has file bytes at {@code vaddr}
     */
    public ByteView memory(long vaddr) {
        ProgramHeader p = loadSegment(vaddr).orElseThrow(() -> new BinaryFormatException(path, "program headers", -1,
                "address 0x" + Long.toHexString(vaddr) + " is not in the file image of any PT_LOAD segment"));
        long off = p.offset() + (vaddr - p.vaddr());
        long len = p.filesz() - (vaddr - p.vaddr());
        String name = sections.stream().filter(s -> s.containsAddress(vaddr)).map(Section::name).findFirst()
                .orElse("segment at 0x" + Long.toHexString(p.vaddr()));
        if (off < 0 || off > file.size() - len) {
            throw new BinaryFormatException(path, name, off, "PT_LOAD segment extends past the end of the file");
        }
        return file.slice(off, len, name);
    }

    /**
     * The pointer stored at link-time address {@code vaddr}. In a position-independent file
     * whose linker left the slot zero (AArch64 does, without {@code --apply-dynamic-relocs}),
     * the value is the addend of the {@code R_*_RELATIVE} relocation for that slot: the address
     * the slot holds before the load bias is added.
     */
    public long readAddress(long vaddr) {
        long value = memory(vaddr).u64(0);
        if (value == 0 && header.isPositionIndependent()) {
            long[] rel = relativeRelocations();
            int i = Arrays.binarySearch(rel, 0, rel.length / 2, vaddr);
            if (i >= 0) {
                return rel[rel.length / 2 + i];
            }
        }
        return value;
    }

    /** The Go string whose header ({@code data}, {@code len}) is at link-time address {@code vaddr}. */
    public String goString(long vaddr) {
        long ptr = readAddress(vaddr);
        long len = memory(vaddr).u64(8);
        return len == 0 ? "" : memory(ptr).string(0, len);
    }

    /**
     * The link-time addresses of the slots whose {@code R_*_RELATIVE} relocation has addend
     * {@code target}: in a position-independent file, the places that point at {@code target}.
     */
    public long[] relativeRelocationsTo(long target) {
        long[] rel = relativeRelocations();
        int n = rel.length / 2;
        return java.util.stream.IntStream.range(0, n).filter(i -> rel[n + i] == target).mapToLong(i -> rel[i]).toArray();
    }

    /**
     * The load bias of a position-independent file: what to add to a link-time address to get
     * the run-time one, given one mapping of the file from {@code /proc/PID/maps} (its start
     * address and file offset). Zero for {@code ET_EXEC} files, which load where they were linked.
     */
    public long loadBias(long mappingStart, long mappingFileOffset) {
        if (!header.isPositionIndependent()) {
            return 0;
        }
        for (ProgramHeader p : programHeaders) {
            if (p.isLoad() && mappingFileOffset >= p.offset() - (p.offset() % Math.max(p.align(), 1))
                    && mappingFileOffset < p.offset() + Math.max(p.filesz(), 1)) {
                return mappingStart - (p.vaddr() + (mappingFileOffset - p.offset()));
            }
        }
        throw new BinaryFormatException(path, "program headers", mappingFileOffset,
                "no PT_LOAD segment maps file offset 0x" + Long.toHexString(mappingFileOffset));
    }

    /** The static symbol table ({@code .symtab}); empty for stripped binaries. */
    public List<ElfSymbol> symbols() {
        List<ElfSymbol> s = symbols;
        if (s == null) {
            s = readSymbols(Section.SHT_SYMTAB);
            symbols = s;
        }
        return s;
    }

    /** The dynamic symbol table ({@code .dynsym}); empty for static binaries. */
    public List<ElfSymbol> dynamicSymbols() {
        List<ElfSymbol> s = dynamicSymbols;
        if (s == null) {
            s = readSymbols(Section.SHT_DYNSYM);
            dynamicSymbols = s;
        }
        return s;
    }

    /** The first {@code .symtab} symbol called {@code name}. */
    public Optional<ElfSymbol> symbol(String name) {
        return symbols().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** All notes: from {@code SHT_NOTE} sections, or from {@code PT_NOTE} segments if there are none. */
    public List<ElfNote> notes() {
        List<ElfNote> n = notes;
        if (n == null) {
            n = readNotes();
            notes = n;
        }
        return n;
    }

    /** The GNU build id ({@code NT_GNU_BUILD_ID}) as lower-case hex, as {@code readelf -n} prints it. */
    public Optional<String> gnuBuildId() {
        return notes().stream().filter(n -> n.name().equals("GNU") && n.type() == ElfNote.NT_GNU_BUILD_ID)
                .findFirst().map(n -> HexFormat.of().formatHex(n.desc().bytes(0, (int) n.desc().size())));
    }

    /** The Go build id ({@code .note.go.buildid}), as {@code go tool buildid} prints it. */
    public Optional<String> goBuildId() {
        return notes().stream().filter(n -> n.name().equals("Go") && n.type() == ElfNote.NT_GO_BUILD_ID)
                .findFirst().map(n -> n.desc().string(0, n.desc().size()));
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "ElfFile[" + path + ", " + header.goArch() + ", " + sections.size() + " sections]";
    }

    private ElfHeader readHeader() {
        ByteView h = file.slice(0, EHDR_SIZE, "ELF header");
        if (!h.startsWith(0, new byte[] {0x7f, 'E', 'L', 'F'})) {
            throw h.error(0, "not an ELF file (" + describeMagic(h) + ")");
        }
        if (h.u8(4) != 2) {
            throw h.error(4, "32-bit ELF (ELFCLASS32) is not supported: Loupe reads 64-bit binaries");
        }
        if (h.u8(5) != 1) {
            throw h.error(5, "big-endian ELF (ELFDATA2MSB) is not supported");
        }
        long phoff = h.u64(32);
        long shoff = h.u64(40);
        int phentsize = h.u16(54);
        int phnum = h.u16(56);
        int shentsize = h.u16(58);
        int shnum = h.u16(60);
        int shstrndx = h.u16(62);
        if (shoff != 0 && (shnum == 0 || shstrndx == SHN_XINDEX || phnum == PN_XNUM)) {
            // Extended numbering: the real counts live in section header 0.
            checkTable("section headers", shoff, 1, shentsize, SHDR_SIZE);
            if (shnum == 0) {
                shnum = Math.toIntExact(Math.min(file.u64(shoff + 32), Integer.MAX_VALUE));
            }
            if (shstrndx == SHN_XINDEX) {
                shstrndx = (int) file.u32(shoff + 40);
            }
            if (phnum == PN_XNUM) {
                phnum = (int) file.u32(shoff + 44);
            }
        }
        if (phnum > 0) {
            checkTable("program headers", phoff, phnum, phentsize, PHDR_SIZE);
        }
        if (shoff == 0) {
            shnum = 0;
        } else if (shnum > 0) {
            checkTable("section headers", shoff, shnum, shentsize, SHDR_SIZE);
        }
        return new ElfHeader(h.u16(16), h.u16(18), h.u64(24), phoff, shoff, phnum, shnum, shstrndx);
    }

    private void checkTable(String what, long off, long count, int entsize, int expected) {
        if (entsize != expected) {
            throw new BinaryFormatException(path, "ELF header", 0, what + " entry size is " + entsize + ", expected " + expected);
        }
        if (off < 0 || count > (file.size() - Math.max(off, 0)) / entsize || off > file.size()) {
            throw new BinaryFormatException(path, what, off, count + " entries of " + entsize
                    + " bytes extend past the end of the " + file.size() + "-byte file");
        }
    }

    private static String describeMagic(ByteView h) {
        long be = h.u32be(0);
        if (be == 0xfeedfacfL || be == 0xcffaedfeL || be == 0xfeedfaceL || be == 0xcefaedfeL || be == 0xcafebabeL) {
            return "a Mach-O file: Loupe reads Linux ELF binaries";
        }
        if (h.u8(0) == 'M' && h.u8(1) == 'Z') {
            return "a PE (Windows) file: Loupe reads Linux ELF binaries";
        }
        return "starts with " + HexFormat.ofDelimiter(" ").formatHex(h.bytes(0, 4));
    }

    private List<ProgramHeader> readProgramHeaders() {
        List<ProgramHeader> out = new ArrayList<>(header.phnum());
        for (int i = 0; i < header.phnum(); i++) {
            long o = header.phoff() + (long) i * PHDR_SIZE;
            out.add(new ProgramHeader((int) file.u32(o), (int) file.u32(o + 4), file.u64(o + 8), file.u64(o + 16),
                    file.u64(o + 32), file.u64(o + 40), file.u64(o + 48)));
        }
        return List.copyOf(out);
    }

    private List<Section> readSections() {
        int n = header.shnum();
        if (n == 0) {
            return List.of();
        }
        if (header.shstrndx() >= n) {
            throw new BinaryFormatException(path, "ELF header", 62, "section-name table index " + header.shstrndx()
                    + " is out of range (" + n + " sections)");
        }
        long[][] raw = new long[n][];
        for (int i = 0; i < n; i++) {
            long o = header.shoff() + (long) i * SHDR_SIZE;
            raw[i] = new long[] {file.u32(o), file.u32(o + 4), file.u64(o + 8), file.u64(o + 16), file.u64(o + 24),
                    file.u64(o + 32), file.u32(o + 40), file.u32(o + 44), file.u64(o + 48), file.u64(o + 56)};
        }
        long[] strtab = raw[header.shstrndx()];
        Section names = new Section(header.shstrndx(), ".shstrtab", (int) strtab[1], strtab[2], strtab[3], strtab[4],
                strtab[5], (int) strtab[6], (int) strtab[7], strtab[8], strtab[9]);
        ByteView nameBytes = rawData(names);
        List<Section> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long[] r = raw[i];
            String name = i == 0 && r[0] == 0 ? "" : nameBytes.cString(r[0]);
            out.add(new Section(i, name, (int) r[1], r[2], r[3], r[4], r[5], (int) r[6], (int) r[7], r[8], r[9]));
        }
        return List.copyOf(out);
    }

    private List<ElfSymbol> readSymbols(int type) {
        Optional<Section> table = sections.stream().filter(s -> s.type() == type).findFirst();
        if (table.isEmpty()) {
            return List.of();
        }
        Section s = table.get();
        if (s.link() <= 0 || s.link() >= sections.size()) {
            throw new BinaryFormatException(path, s.name(), s.offset(), "string table index " + s.link() + " is out of range");
        }
        ByteView syms = data(s);
        ByteView strings = data(sections.get(s.link()));
        int n = (int) Math.min(syms.size() / SYM_SIZE, Integer.MAX_VALUE);
        List<ElfSymbol> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long o = (long) i * SYM_SIZE;
            long nameOff = syms.u32(o);
            String name = nameOff == 0 ? "" : strings.cString(nameOff);
            out.add(new ElfSymbol(name, syms.u64(o + 8), syms.u64(o + 16), syms.u8(o + 4), syms.u16(o + 6)));
        }
        return List.copyOf(out);
    }

    private List<ElfNote> readNotes() {
        List<ElfNote> out = new ArrayList<>();
        List<ByteView> areas = new ArrayList<>();
        for (Section s : sections) {
            if (s.type() == Section.SHT_NOTE) {
                areas.add(data(s));
            }
        }
        if (areas.isEmpty()) {
            for (ProgramHeader p : programHeaders) {
                if (p.type() == ProgramHeader.PT_NOTE) {
                    areas.add(file.slice(p.offset(), p.filesz(), "PT_NOTE segment"));
                }
            }
        }
        for (ByteView area : areas) {
            long o = 0;
            while (o + 12 <= area.size()) {
                long namesz = area.u32(o);
                long descsz = area.u32(o + 4);
                long type = area.u32(o + 8);
                long nameOff = o + 12;
                long descOff = nameOff + align4(namesz);
                area.check(descOff, descsz);
                String name = namesz == 0 ? "" : area.string(nameOff, namesz).replaceFirst("\0+$", "");
                out.add(new ElfNote(name, type, area.slice(descOff, descsz, area.name())));
                o = descOff + align4(descsz);
            }
        }
        return List.copyOf(out);
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }

    /**
     * The {@code R_*_RELATIVE} relocations of the dynamic section's {@code DT_RELA} table, as
     * one array: sorted slot addresses in the first half, their addends in the second.
     */
    private long[] relativeRelocations() {
        long[] r = relativeRelocations;
        if (r == null) {
            r = readRelativeRelocations();
            relativeRelocations = r;
        }
        return r;
    }

    private long[] readRelativeRelocations() {
        ProgramHeader dynamic = programHeaders.stream().filter(p -> p.type() == ProgramHeader.PT_DYNAMIC).findFirst().orElse(null);
        if (dynamic == null) {
            return new long[0];
        }
        ByteView dyn = file.slice(dynamic.offset(), dynamic.filesz(), "PT_DYNAMIC segment");
        long rela = 0;
        long relasz = 0;
        for (long o = 0; o + 16 <= dyn.size(); o += 16) {
            long tag = dyn.u64(o);
            if (tag == DT_NULL) {
                break;
            } else if (tag == DT_RELA) {
                rela = dyn.u64(o + 8);
            } else if (tag == DT_RELASZ) {
                relasz = dyn.u64(o + 8);
            }
        }
        if (rela == 0 || relasz <= 0) {
            return new long[0];
        }
        ByteView table = memory(rela);
        table.check(0, relasz);
        int relative = header.machine() == ElfHeader.EM_AARCH64 ? R_AARCH64_RELATIVE : R_X86_64_RELATIVE;
        int n = (int) Math.min(relasz / RELA_SIZE, Integer.MAX_VALUE / 2);
        long[][] pairs = new long[n][];
        int count = 0;
        for (int i = 0; i < n; i++) {
            long o = (long) i * RELA_SIZE;
            if ((table.u64(o + 8) & 0xffffffffL) == relative) {
                pairs[count++] = new long[] {table.u64(o), table.u64(o + 16)};
            }
        }
        long[][] found = Arrays.copyOf(pairs, count);
        Arrays.sort(found, (a, b) -> Long.compare(a[0], b[0]));
        long[] out = new long[2 * count];
        for (int i = 0; i < count; i++) {
            out[i] = found[i][0];
            out[count + i] = found[i][1];
        }
        return out;
    }
}
