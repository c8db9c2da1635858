package dev.loupe.dwarf.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.TestBinaries;
import dev.loupe.dwarf.TestBinaries.Variant;
import dev.loupe.dwarf.elf.ElfNote;
import dev.loupe.dwarf.elf.Section;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;

/**
 * Fuzzes the ELF layer and the build info: headers, section and program header tables,
 * section names, notes (Go and GNU build ids), symbols, the {@code .go.buildinfo} blob and the
 * header of the compressed {@code .debug_info}, dynamic symbols and relocations, patched into a
 * real position-independent Go binary
 * ({@link PatchedBinary}). Only {@link dev.loupe.dwarf.BinaryFormatException} may escape.
 */
class ElfFuzzTest {
    private static PatchedBinary binary;

    @BeforeAll
    static void build() {
        // A position-independent build: it has dynamic symbols and relocations too.
        binary = PatchedBinary.of(TestBinaries.inlining(Variant.PIE), List.of(
                "elf-header", "program-headers", "section-headers", ".shstrtab", ".note.go.buildid", ".note.gnu.build-id",
                ".go.buildinfo", ".symtab", ".strtab", ".debug_info", ".debug_abbrev", ".dynamic", ".dynsym", ".dynstr",
                ".rela"));
    }

    @FuzzTest(maxDuration = "5s")
    void elfAndBuildInfo(byte[] input) {
        binary.run(input, b -> PatchedBinary.each(b,
                x -> x.buildInfo().ifPresent(bi -> {
                    bi.goVersion();
                    bi.toString();
                }),
                GoBinary::goBuildId,
                GoBinary::gnuBuildId,
                GoBinary::isStripped,
                GoBinary::goArch,
                x -> x.elf().notes().forEach(ElfNote::toString),
                x -> x.elf().dynamicSymbols(),
                x -> x.elf().symbol("runtime.text"),
                x -> x.elf().dwarfSection("info").ifPresent(v -> v.size()),
                x -> x.elf().dwarfSection("abbrev").ifPresent(v -> v.size()),
                x -> x.elf().data(".go.buildinfo"),
                x -> x.elf().section(".go.buildinfo").ifPresent(s -> x.elf().relativeRelocationsTo(s.addr() + 16)),
                x -> x.elf().loadBias(0x7f0000000000L, 0),
                x -> {
                    for (Section s : x.elf().sections()) {
                        if (s.isAlloc() && s.size() > 0) {
                            x.elf().fileOffset(s.addr());
                            x.elf().loadSegment(s.addr());
                        }
                    }
                }));
    }
}
