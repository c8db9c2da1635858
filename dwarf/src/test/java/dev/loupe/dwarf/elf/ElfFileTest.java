package dev.loupe.dwarf.elf;

import dev.loupe.dwarf.TestBinaries;
import dev.loupe.dwarf.TestBinaries.Variant;
import dev.loupe.dwarf.internal.ByteView;
import dev.loupe.testkit.Exec;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ELF headers, sections, notes and compressed sections against binutils' readelf and objcopy. */
class ElfFileTest {
    private static final Pattern SECTION = Pattern.compile(
            "^\\s*\\[\\s*(\\d+)]\\s+(\\S*)\\s+(\\S+)\\s+([0-9a-f]{16})\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+[0-9a-f]+\\s*(\\S*)\\s+\\d+\\s+\\d+\\s+\\d+\\s*$");
    private static final Pattern SEGMENT = Pattern.compile(
            "^\\s*(\\S+)\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+0x[0-9a-f]+\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s.*$");

    @Test
    void sectionsAndSegmentsEqualReadelf() {
        Path go = TestBinaries.goCommand();
        try (ElfFile elf = ElfFile.open(go)) {
            assertEquals(ElfHeader.ET_EXEC, elf.header().type());
            assertEquals("amd64", elf.header().goArch());

            List<String> expected = new ArrayList<>();
            for (String line : Exec.run(Exec.cmd("readelf", "-SW", go.toString())).split("\n")) {
                Matcher m = SECTION.matcher(line);
                if (m.matches() && !m.group(1).equals("0")) {
                    expected.add(m.group(2) + " " + Long.parseLong(m.group(4), 16) + " " + Long.parseLong(m.group(5), 16)
                            + " " + Long.parseLong(m.group(6), 16) + " " + m.group(7).contains("C"));
                }
            }
            List<String> actual = elf.sections().stream().skip(1)
                    .map(s -> s.name() + " " + s.addr() + " " + s.offset() + " " + s.size() + " " + s.isCompressed()).toList();
            assertEquals(expected, actual);

            List<String> segments = new ArrayList<>();
            for (String line : Exec.run(Exec.cmd("readelf", "-lW", go.toString())).split("\n")) {
                Matcher m = SEGMENT.matcher(line);
                if (m.matches() && m.group(1).equals("LOAD")) {
                    segments.add(m.group(2) + " " + m.group(3) + " " + m.group(4) + " " + m.group(5));
                }
            }
            assertEquals(segments, elf.programHeaders().stream().filter(ProgramHeader::isLoad)
                    .map(p -> "%06x %016x %06x %06x".formatted(p.offset(), p.vaddr(), p.filesz(), p.memsz())).toList());
        }
    }

    @Test
    void buildIdsEqualReadelfAndGoToolBuildid() {
        Path go = TestBinaries.goCommand();
        try (ElfFile elf = ElfFile.open(go)) {
            Matcher m = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(Exec.run(Exec.cmd("readelf", "-n", go.toString())));
            assertTrue(m.find());
            assertEquals(m.group(1), elf.gnuBuildId().orElseThrow());
            assertEquals(TestBinaries.goTool("buildid", go.toString()).strip(), elf.goBuildId().orElseThrow());
        }
    }

    @Test
    void symbolsEqualReadelf() {
        Path bin = TestBinaries.inlining(Variant.PLAIN);
        try (ElfFile elf = ElfFile.open(bin)) {
            List<String> expected = new ArrayList<>();
            Pattern sym = Pattern.compile("^\\s*\\d+:\\s+([0-9a-f]{16})\\s+(0x[0-9a-f]+|\\d+)\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s*(.*)$");
            String out = Exec.run(Exec.cmd("readelf", "-sW", "--wide", "--symbols", bin.toString()));
            String symtab = out.substring(out.indexOf("Symbol table '.symtab'"));
            for (String line : symtab.split("\n")) {
                Matcher m = sym.matcher(line);
                if (m.matches()) {
                    // readelf prints sizes of 100000 and more in hex.
                    expected.add(Long.parseLong(m.group(1), 16) + " " + Long.decode(m.group(2)) + " " + m.group(3).strip());
                }
            }
            List<String> actual = elf.symbols().stream().map(s -> s.value() + " " + s.size() + " " + s.name()).toList();
            assertTrue(expected.size() > 1000, "readelf listed " + expected.size() + " symbols");
            assertEquals(expected, actual);
            assertTrue(elf.symbol("main.main").orElseThrow().type() == ElfSymbol.STT_FUNC);
        }
        try (ElfFile stripped = ElfFile.open(TestBinaries.inlining(Variant.STRIPPED))) {
            assertTrue(stripped.symbols().isEmpty());
            assertFalse(stripped.hasDwarf());
        }
    }

    /** Debug sections compressed by Go (zlib), and by objcopy (zlib, zstd, GNU .zdebug) decompress to objcopy's bytes. */
    @Test
    void compressedSectionsDecompressToTheOriginalBytes(@TempDir Path tmp) {
        Path plain = TestBinaries.inlining(Variant.UNCOMPRESSED_DWARF);
        Path goZlib = TestBinaries.inlining(Variant.PLAIN);
        Path goZlibDecompressed = tmp.resolve("go-zlib-decompressed");
        Exec.run(Exec.cmd("objcopy", "--decompress-debug-sections", goZlib.toString(), goZlibDecompressed.toString()));
        List<String> names = List.of("info", "abbrev", "line", "frame", "loclists", "rnglists", "addr");
        assertSameDwarf(goZlibDecompressed, goZlib, names);
        for (String mode : List.of("zlib", "zstd", "zlib-gnu")) {
            Path copy = tmp.resolve("objcopy-" + mode);
            Exec.run(Exec.cmd("objcopy", "--compress-debug-sections=" + mode, plain.toString(), copy.toString()));
            assertSameDwarf(plain, copy, names);
        }
    }

    private static void assertSameDwarf(Path uncompressed, Path compressed, List<String> names) {
        try (ElfFile u = ElfFile.open(uncompressed); ElfFile c = ElfFile.open(compressed)) {
            boolean anyCompressed = false;
            for (String n : names) {
                ByteView want = u.dwarfSection(n).orElseThrow();
                ByteView got = c.dwarfSection(n).orElseThrow(() -> new AssertionError(compressed + " has no " + n));
                assertFalse(u.section(".debug_" + n).orElseThrow().isCompressed());
                anyCompressed |= got.fileOffset() < 0;
                assertArrayEquals(want.segment().toArray(ValueLayout.JAVA_BYTE), got.segment().toArray(ValueLayout.JAVA_BYTE),
                        compressed.getFileName() + " .debug_" + n);
            }
            assertTrue(anyCompressed, compressed.getFileName() + " should have compressed sections");
        }
    }

    /** The load bias computed from /proc/PID/maps equals where the kernel put main.record. */
    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"PLAIN", "PIE"})
    void loadBiasLocatesFunctionsInARunningProcess(Variant v) throws Exception {
        Path bin = TestBinaries.inlining(v);
        try (ElfFile elf = ElfFile.open(bin); RunningTarget t = RunningTarget.start(bin, List.of("wait"))) {
            String line = t.awaitLine(s -> s.startsWith("record "), Duration.ofSeconds(60));
            t.awaitLine("ready"::equals, Duration.ofSeconds(60));
            long runtimeAddress = Long.decode(line.substring(7));
            long linkAddress = elf.symbol("main.record").orElseThrow().value();
            String real = bin.toRealPath().toString();
            long bias = Long.MIN_VALUE;
            for (String m : Files.readAllLines(Path.of("/proc/" + t.pid() + "/maps"))) {
                String[] f = m.split("\\s+");
                if (f.length >= 6 && f[5].equals(real)) {
                    bias = elf.loadBias(Long.parseUnsignedLong(f[0].split("-")[0], 16), Long.parseLong(f[2], 16));
                    break;
                }
            }
            assertEquals(runtimeAddress - linkAddress, bias);
            assertEquals(v == Variant.PIE, elf.header().isPositionIndependent());
            if (v == Variant.PLAIN) {
                assertEquals(0, bias);
            }
        }
    }
}
