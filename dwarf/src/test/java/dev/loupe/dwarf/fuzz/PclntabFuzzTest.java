package dev.loupe.dwarf.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.TestBinaries;
import dev.loupe.dwarf.TestBinaries.Variant;
import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;
import java.util.Random;

/**
 * Fuzzes the Go function table: patches to {@code .gopclntab} (and the symbol and section
 * tables it is located by) of a real Go binary ({@link PatchedBinary}), then every function
 * record, and lines, inlined frames and stack deltas at a fixed sample of pcs. Only
 * {@link dev.loupe.dwarf.BinaryFormatException} may escape.
 */
class PclntabFuzzTest {
    /** Pcs looked up per execution: a bounded amount of work. */
    private static final int SAMPLE_PCS = 192;

    private static PatchedBinary binary;
    private static long[] pcs;

    @BeforeAll
    static void build() {
        binary = PatchedBinary.of(TestBinaries.inlining(Variant.PLAIN), List.of(".gopclntab", ".gopclntab", ".gopclntab",
                ".noptrdata", "section-headers"));
        try (GoBinary b = GoBinary.open(TestBinaries.inlining(Variant.PLAIN))) {
            List<Func> fs = b.pclntab().functions();
            Random r = new Random(5);
            pcs = new long[SAMPLE_PCS];
            for (int i = 0; i < SAMPLE_PCS; i++) {
                Func f = fs.get(r.nextInt(fs.size()));
                pcs[i] = i % 2 == 0 ? f.entry() : f.entry() + r.nextLong(Math.max(1, f.end() - f.entry()));
            }
            // The inlining program's own functions, whose frames hold inlined calls.
            int k = 0;
            for (Func f : fs) {
                if (f.name().startsWith("main.") && k < 32) {
                    pcs[k++] = f.entry() + (f.end() - f.entry()) / 2;
                }
            }
        }
    }

    @FuzzTest(maxDuration = "5s")
    void pclntab(byte[] input) {
        binary.run(input, b -> PatchedBinary.each(b,
                x -> {
                    Pclntab tab = x.pclntab();
                    tab.format();
                    tab.moduleData();
                    for (Func f : tab.functions()) {
                        f.printName();
                    }
                },
                x -> {
                    Pclntab tab = x.pclntab();
                    for (long pc : pcs) {
                        tab.functionAt(pc);
                        tab.line(pc);
                        tab.frames(pc);
                        tab.spDelta(pc);
                    }
                }));
    }
}
