package dev.loupe.dwarf;

import dev.loupe.dwarf.TestBinaries.Variant;
import dev.loupe.dwarf.buildinfo.BuildInfo;
import dev.loupe.dwarf.pclntab.Frame;
import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The entry point, and binaries whose section headers are gone (everything found through segments). */
class GoBinaryTest {

    /**
     * A copy without section headers ({@code e_shoff}, {@code e_shnum}, {@code e_shstrndx} zeroed)
     * gives the same functions, frames and build info: the pclntab is found by its header, the
     * moduledata by its pointer to it, the build info and Go build id through the segments.
     */
    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"PLAIN", "PIE", "STRIPPED"})
    void binaryWithoutSectionHeadersReadsTheSame(Variant v, @TempDir Path tmp) {
        Path bin = TestBinaries.inlining(v);
        Path bare = TestBinaries.editedCopy(bin, tmp, "bare", b -> {
            ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            h.putLong(40, 0).putShort(60, (short) 0).putShort(62, (short) 0);
        });
        try (GoBinary a = GoBinary.open(bin); GoBinary c = GoBinary.open(bare)) {
            assertTrue(c.elf().sections().isEmpty());
            assertEquals(a.buildInfo(), c.buildInfo());
            assertEquals(a.goBuildId(), c.goBuildId());
            Pclntab ta = a.pclntab();
            Pclntab tc = c.pclntab();
            assertEquals(ta.address(), tc.address());
            assertEquals(ta.moduleData(), tc.moduleData());
            assertEquals(ta.functions(), tc.functions());
            for (Func f : ta.functions()) {
                for (long pc = f.entry(); pc < f.end(); pc += 7) {
                    assertEquals(ta.frames(pc), tc.frames(pc));
                }
            }
        }
    }

    @Test
    void recordsOutliveTheFile() {
        List<Frame> frames;
        BuildInfo info;
        List<Func> funcs = new ArrayList<>();
        try (GoBinary b = GoBinary.open(TestBinaries.inlining(Variant.PLAIN))) {
            Pclntab tab = b.pclntab();
            Func main = tab.functions().stream().filter(f -> f.name().equals("main.main")).findFirst().orElseThrow();
            funcs.add(main);
            frames = tab.frames(main.entry());
            info = b.buildInfo().orElseThrow();
            assertFalse(b.isStripped());
            assertTrue(b.hasDwarf());
            assertEquals("amd64", b.goArch());
        }
        assertEquals("main.main", frames.getFirst().function());
        assertEquals("example.com/inlining", info.path());
        assertEquals("main.main", funcs.getFirst().printName());
    }

    @Test
    void printNamesHideShapeArguments() {
        assertEquals("main.pair[...]", Frame.nameForPrint("main.pair[go.shape.int]"));
        assertEquals("a.(*T[...]).m", Frame.nameForPrint("a.(*T[go.shape.struct { x [2]int }]).m"));
        assertEquals("main.main", Frame.nameForPrint("main.main"));
    }
}
