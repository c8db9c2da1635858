package dev.loupe.dwarf;

import dev.loupe.dwarf.TestBinaries.Variant;
import dev.loupe.dwarf.elf.Section;
import dev.loupe.dwarf.godwarf.Function;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.InlinedCall;
import dev.loupe.dwarf.godwarf.Types;
import dev.loupe.dwarf.godwarf.Variable;
import dev.loupe.dwarf.info.Die;
import dev.loupe.dwarf.info.DwAt;
import dev.loupe.dwarf.info.DwForm;
import dev.loupe.dwarf.info.DwTag;
import dev.loupe.dwarf.loclist.LocationEntry;
import dev.loupe.dwarf.runtime.UnknownGoVersionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad DWARF: corrupted DIEs, abbreviations and lists, cyclic references and huge lengths give a
 * {@link BinaryFormatException} or a per-variable problem, within seconds, never another
 * exception. Works on a build with uncompressed DWARF so flipped bytes reach the parsers.
 */
class HostileDwarfTest {
    private static Path good;
    private static byte[] goodBytes;
    private static long[][] regions;
    private static long infoOffset;

    @BeforeAll
    static void build() throws IOException {
        good = TestBinaries.inlining(Variant.UNCOMPRESSED_DWARF);
        goodBytes = Files.readAllBytes(good);
        try (GoBinary b = GoBinary.open(good)) {
            regions = b.elf().sections().stream()
                    .filter(s -> List.of(".debug_info", ".debug_abbrev", ".debug_loclists", ".debug_rnglists", ".debug_addr", ".debug_line")
                            .contains(s.name()))
                    .map(s -> new long[] {s.offset(), s.size()}).toArray(long[][]::new);
            infoOffset = b.elf().section(".debug_info").map(Section::offset).orElseThrow();
        }
        assertEquals(6, regions.length, "DWARF sections");
    }

    @Test
    void corruptedDwarfFailsCleanly(@TempDir Path tmp) throws IOException {
        Random r = new Random(11);
        Path p = tmp.resolve("corrupt");
        for (int i = 0; i < 60; i++) {
            byte[] b = goodBytes.clone();
            StringBuilder what = new StringBuilder("flips");
            int flips = 1 + r.nextInt(16);
            for (int k = 0; k < flips; k++) {
                long[] region = regions[r.nextInt(regions.length)];
                int at = (int) (region[0] + r.nextLong(region[1]));
                b[at] = (byte) r.nextInt(256);
                what.append(" 0x").append(Integer.toHexString(at));
            }
            Files.write(p, b);
            exercise(p, what.toString());
        }
    }

    @Test
    void hugeUnitLengthIsRejected(@TempDir Path tmp) {
        Path p = TestBinaries.editedCopy(good, tmp, "huge", b ->
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt((int) infoOffset, 0x7ffffff0));
        try (GoBinary bin = GoBinary.open(p)) {
            BinaryFormatException e = assertThrows(BinaryFormatException.class, bin::dwarf);
            assertTrue(e.getMessage().startsWith(p + ": .debug_info at offset 0x" + Long.toHexString(infoOffset))
                    && e.getMessage().contains("implausible"), e.getMessage());
        }
    }

    /** A typedef whose type is itself: resolving it ends with an unsupported type, not a hang. */
    @Test
    void typedefCycleIsCut(@TempDir Path tmp) {
        long die;
        long attr;
        int form;
        try (GoBinary bin = GoBinary.open(good)) {
            var info = bin.dwarf().info();
            die = info.units().stream().flatMap(u -> info.children(info.unitDie(u)).stream())
                    .filter(x -> x.tag() == DwTag.TYPEDEF && !x.has(DwAt.GO_KIND) && x.has(DwAt.NAME))
                    .findFirst().orElseThrow().offset();
            Die d = bin.dwarf().info().die(die);
            form = d.form(DwAt.TYPE);
            // Go writes the typedef as: abbreviation code (1 byte), name (inline string), type (4 bytes).
            attr = die + 1 + d.name().getBytes(StandardCharsets.UTF_8).length + 1;
            long unitStart = d.unit().offset();
            int stored = ByteBuffer.wrap(goodBytes).order(ByteOrder.LITTLE_ENDIAN).getInt((int) (infoOffset + attr));
            long target = form == DwForm.REF_ADDR ? stored : unitStart + stored;
            assertEquals(d.reference(DwAt.TYPE).orElseThrow(), target, "layout of the typedef DIE");
            long self = form == DwForm.REF_ADDR ? die : die - unitStart;
            Path p = TestBinaries.editedCopy(good, tmp, "cycle", b ->
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt((int) (infoOffset + attr), (int) self));
            try (GoBinary cyclic = GoBinary.open(p)) {
                Types types = cyclic.dwarf().types();
                GoType t = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> types.underlying(types.get(die)));
                assertTrue(t instanceof GoType.Unsupported u && u.problem().contains("cycle"), t.toString());
                assertEquals(-1, types.sizeOf(types.get(die)));
            }
        }
    }

    /** Runs every DWARF reader on {@code p}: each may fail, but only with our exception or a problem value. */
    private static void exercise(Path p, String what) {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (GoBinary b = GoBinary.open(p)) {
                GoDwarf d;
                try {
                    d = b.dwarf();
                } catch (BinaryFormatException e) {
                    assertNamesFile(e, p, what);
                    return;
                }
                List<Runnable> readers = List.of(
                        () -> d.functions().forEach(f -> readFunction(d, f)),
                        () -> d.info().units().forEach(u -> d.info().children(d.info().unitDie(u))),
                        () -> d.functions().stream().limit(40).forEach(f -> d.lineTable(f)),
                        () -> d.types().byName("runtime.g").ifPresent(t -> resolveFields(d.types(), t)),
                        () -> {
                            try {
                                b.runtimeLayout();
                            } catch (UnknownGoVersionException e) {
                                assertTrue(e.getMessage().contains("LayoutTableGenerator"), e.getMessage());
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

    private static void readFunction(GoDwarf d, Function f) {
        try {
            for (Variable v : d.variables(f)) {
                d.types().underlying(d.types().get(v.type()));
                for (LocationEntry e : v.locations()) {
                    d.location(f, v, e.range().low());
                }
            }
            for (InlinedCall c : d.inlinedCalls(f)) {
                c.variables().forEach(v -> d.types().get(v.type()));
            }
        } catch (BinaryFormatException e) {
            assertTrue(e.getMessage().startsWith(e.file() + ": "), e.getMessage());
        }
    }

    private static void resolveFields(Types types, GoType t) {
        if (types.underlying(t) instanceof GoType.Struct s) {
            s.fields().forEach(f -> types.sizeOf(types.get(f.type())));
        }
    }

    private static void assertNamesFile(BinaryFormatException e, Path p, String what) {
        assertEquals(p, e.file(), what);
        assertTrue(e.getMessage().startsWith(p + ": "), what + ": " + e.getMessage());
    }
}
