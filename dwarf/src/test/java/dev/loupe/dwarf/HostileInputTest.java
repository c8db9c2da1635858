package dev.loupe.dwarf;

import dev.loupe.dwarf.TestBinaries.Variant;
import dev.loupe.dwarf.elf.ElfFile;
import dev.loupe.dwarf.elf.Section;
import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;
import dev.loupe.dwarf.runtime.UnknownGoVersionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input of every kind gives a {@link BinaryFormatException} that names the file, quickly:
 * never a hang, an OutOfMemoryError or another exception.
 */
class HostileInputTest {
    private static Path good;
    private static byte[] goodBytes;
    private static List<Long> samplePcs;
    private static ElfFacts facts;

    /** Where the interesting structures of the good binary are, to aim corruption at them. */
    private record ElfFacts(long shoff, long pclntab, long pclntabSize, long buildinfo, long debugInfo, long symtab) {}

    @BeforeAll
    static void build() throws IOException {
        good = TestBinaries.inlining(Variant.PLAIN);
        goodBytes = Files.readAllBytes(good);
        try (GoBinary b = GoBinary.open(good)) {
            Pclntab tab = b.pclntab();
            samplePcs = new ArrayList<>();
            Random r = new Random(7);
            for (Func f : tab.functions()) {
                samplePcs.add(f.entry());
                samplePcs.add(f.entry() + r.nextLong(Math.max(1, f.end() - f.entry())));
            }
            ElfFile elf = b.elf();
            facts = new ElfFacts(elf.header().shoff(), offset(elf, ".gopclntab"), elf.section(".gopclntab").orElseThrow().size(),
                    offset(elf, ".go.buildinfo"), offset(elf, ".debug_info"), offset(elf, ".symtab"));
        }
    }

    private static long offset(ElfFile elf, String section) {
        return elf.section(section).map(Section::offset).orElseThrow();
    }

    @Test
    void directoryMissingEmptyAndForeignFilesAreRejectedClearly(@TempDir Path tmp) throws IOException {
        assertRejected(tmp, "is a directory");
        assertRejected(tmp.resolve("missing"), "no such file");
        assertRejected(Files.write(tmp.resolve("empty"), new byte[0]), "too short");
        assertRejected(Files.writeString(tmp.resolve("script"), "#!/bin/sh\necho hello, this is not an ELF file at all\n".repeat(3)),
                "not an ELF file");
        byte[] macho = new byte[4096];
        ByteBuffer.wrap(macho).order(ByteOrder.LITTLE_ENDIAN).putInt(0xfeedfacf).putInt(0x01000007);
        assertRejected(Files.write(tmp.resolve("macho"), macho), "Mach-O");
        byte[] elf32 = Arrays.copyOf(goodBytes, 4096);
        elf32[4] = 1;
        assertRejected(Files.write(tmp.resolve("elf32"), elf32), "32-bit");
        byte[] bigEndian = Arrays.copyOf(goodBytes, 4096);
        bigEndian[5] = 2;
        assertRejected(Files.write(tmp.resolve("be"), bigEndian), "big-endian");
    }

    @Test
    void nonGoElfHasNoBuildInfoAndNoPclntab() {
        try (GoBinary b = GoBinary.open(Path.of("/bin/sh").toAbsolutePath())) {
            assertTrue(b.buildInfo().isEmpty());
            BinaryFormatException e = assertThrows(BinaryFormatException.class, b::pclntab);
            assertTrue(e.getMessage().contains("no Go function table"), e.getMessage());
        }
    }

    /** Huge declared sizes and counts fail before anything of that size is allocated or read. */
    @Test
    void hugeDeclaredLengthsAreRejected(@TempDir Path tmp) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        expectFailure(tmp, "nfunc", b -> ByteBuffer.wrap(b).order(le).putLong((int) facts.pclntab + 8, 1L << 40), Reader.PCLNTAB,
                "functions");
        expectFailure(tmp, "pctabOffset", b -> ByteBuffer.wrap(b).order(le).putLong((int) facts.pclntab + 56, Long.MAX_VALUE),
                Reader.PCLNTAB, "out of order or past the end");
        expectFailure(tmp, "chSize", b -> ByteBuffer.wrap(b).order(le).putLong((int) facts.debugInfo + 8, 1L << 60), Reader.DWARF,
                "implausible");
        expectFailure(tmp, "shnum", b -> ByteBuffer.wrap(b).order(le).putShort(60, (short) 0xfff0), Reader.OPEN, "extend past the end");
        expectFailure(tmp, "symtabSize", b -> {
            int shdr = (int) facts.shoff + 64 * sectionIndex(".symtab");
            ByteBuffer.wrap(b).order(le).putLong(shdr + 32, 1L << 50);
        }, Reader.SYMBOLS, "extends past the end");
        expectFailure(tmp, "buildinfoLength", b -> {
            // The Go version string's varint length at header byte 32 becomes 2^35.
            int at = (int) facts.buildinfo + 32;
            b[at] = (byte) 0x80;
            b[at + 1] = (byte) 0x80;
            b[at + 2] = (byte) 0x80;
            b[at + 3] = (byte) 0x80;
            b[at + 4] = (byte) 0x80;
            b[at + 5] = 0x01;
        }, Reader.BUILDINFO, "implausible");
    }

    @Test
    void truncatedCopiesFailCleanly(@TempDir Path tmp) throws IOException {
        List<Long> cuts = new ArrayList<>(List.of(1L, 4L, 16L, 63L, 64L, 100L, facts.shoff + 10, facts.pclntab + 4, facts.pclntab + 40,
                facts.pclntab + facts.pclntabSize / 2, facts.buildinfo + 20, facts.debugInfo + 30, facts.symtab + 100,
                goodBytes.length - 1L));
        Random r = new Random(3);
        for (int i = 0; i < 40; i++) {
            cuts.add(r.nextLong(goodBytes.length));
        }
        Path p = tmp.resolve("truncated");
        for (long cut : cuts) {
            Files.write(p, Arrays.copyOf(goodBytes, (int) cut));
            exercise(p, "cut at " + cut);
        }
    }

    /** Random byte flips (fixed seed), aimed at headers, the pclntab, build info, notes and DWARF. */
    @Test
    void corruptedCopiesFailCleanly(@TempDir Path tmp) throws IOException {
        Random r = new Random(1);
        long[][] regions = {
                {0, 4096}, {facts.shoff, 64 * 40}, {facts.pclntab, 128}, {facts.pclntab, facts.pclntabSize},
                {facts.buildinfo, 512}, {facts.debugInfo, 64}};
        Path p = tmp.resolve("corrupt");
        for (int i = 0; i < 300; i++) {
            byte[] b = goodBytes.clone();
            int flips = 1 + r.nextInt(8);
            StringBuilder what = new StringBuilder("flips");
            for (int k = 0; k < flips; k++) {
                long[] region = regions[r.nextInt(regions.length)];
                int at = (int) Math.min(goodBytes.length - 1, region[0] + r.nextLong(region[1]));
                b[at] = (byte) r.nextInt(256);
                what.append(" 0x").append(Integer.toHexString(at));
            }
            Files.write(p, b);
            exercise(p, what.toString());
        }
    }

    private enum Reader { OPEN, PCLNTAB, DWARF, SYMBOLS, BUILDINFO }

    private static void expectFailure(Path tmp, String name, Consumer<byte[]> edit, Reader reader, String message) {
        Path p = TestBinaries.editedCopy(good, tmp, name, edit);
        BinaryFormatException e = assertThrows(BinaryFormatException.class, () -> {
            try (GoBinary b = GoBinary.open(p)) {
                switch (reader) {
                    case OPEN -> { }
                    case PCLNTAB -> b.pclntab();
                    case DWARF -> b.elf().dwarfSection("info");
                    case SYMBOLS -> b.isStripped();
                    case BUILDINFO -> b.buildInfo();
                }
            }
        }, name);
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains(message), name + ": " + e.getMessage());
    }

    private static int sectionIndex(String name) {
        try (ElfFile elf = ElfFile.open(good)) {
            return elf.section(name).orElseThrow().index();
        }
    }

    /** Runs every reader on {@code p}; each may fail, but only with our exception, and all within seconds. */
    private static void exercise(Path p, String what) {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            GoBinary b;
            try {
                b = GoBinary.open(p);
            } catch (BinaryFormatException e) {
                assertNamesFile(e, p, what);
                return;
            }
            try (b) {
                List<Runnable> readers = List.of(
                        () -> b.buildInfo(),
                        () -> b.goBuildId(),
                        () -> b.gnuBuildId(),
                        () -> b.isStripped(),
                        () -> b.elf().dwarfSection("info"),
                        () -> b.elf().dwarfSection("line"),
                        () -> b.elf().dynamicSymbols(),
                        () -> {
                            Pclntab tab = b.pclntab();
                            for (int i = 0; i < tab.functionCount(); i++) {
                                tab.function(i);
                            }
                        },
                        () -> {
                            Pclntab tab = b.pclntab();
                            for (long pc : samplePcs) {
                                tab.frames(pc);
                                tab.spDelta(pc);
                            }
                        },
                        () -> b.dwarf().functions().stream().limit(200).forEach(f -> b.dwarf().variables(f)),
                        () -> {
                            try {
                                b.runtimeLayout();
                            } catch (UnknownGoVersionException e) {
                                assertTrue(e.getMessage().contains(e.goVersion()), e.getMessage());
                            }
                        });
                for (Runnable reader : readers) {
                    try {
                        reader.run();
                    } catch (BinaryFormatException e) {
                        assertNamesFile(e, p, what);
                    }
                }
            }
        }, what);
    }

    private static void assertNamesFile(BinaryFormatException e, Path p, String what) {
        assertEquals(p, e.file(), what);
        assertTrue(e.getMessage().startsWith(p + ": "), what + ": " + e.getMessage());
    }

    private static void assertRejected(Path p, String message) {
        BinaryFormatException e = assertThrows(BinaryFormatException.class, () -> GoBinary.open(p).close());
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains(message), e.getMessage());
    }
}
