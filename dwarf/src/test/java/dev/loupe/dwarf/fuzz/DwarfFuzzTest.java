package dev.loupe.dwarf.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.TestBinaries;
import dev.loupe.dwarf.TestBinaries.Variant;
import dev.loupe.dwarf.godwarf.Function;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.InlinedCall;
import dev.loupe.dwarf.godwarf.Types;
import dev.loupe.dwarf.godwarf.Variable;
import dev.loupe.dwarf.info.DwAt;
import dev.loupe.dwarf.info.Unit;
import dev.loupe.dwarf.line.LineTable;
import dev.loupe.dwarf.loclist.LocationEntry;
import dev.loupe.dwarf.runtime.UnknownGoVersionException;
import org.junit.jupiter.api.BeforeAll;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes the DWARF readers: patches to {@code .debug_info}, {@code .debug_abbrev},
 * {@code .debug_line}, the location and range lists and {@code .debug_addr} of a real Go binary
 * with uncompressed DWARF ({@link PatchedBinary}); then the index, and for the functions of the
 * patched units and a fixed sample of others: their variables, types, locations, inlined calls
 * and line table; the runtime's types. Only {@link BinaryFormatException} may escape.
 */
class DwarfFuzzTest {
    /** Functions read per execution besides those of patched units: a bounded amount of work. */
    private static final int SAMPLE_FUNCTIONS = 12;
    private static final int MAX_PATCHED_UNIT_FUNCTIONS = 16;

    private static PatchedBinary binary;
    private static PatchedBinary.Region info;
    private static PatchedBinary.Region line;

    @BeforeAll
    static void build() {
        binary = PatchedBinary.of(TestBinaries.inlining(Variant.UNCOMPRESSED_DWARF), List.of(
                ".debug_info", ".debug_info", ".debug_abbrev", ".debug_line", ".debug_loclists", ".debug_rnglists", ".debug_addr",
                ".debug_str", ".debug_line_str", ".debug_str_offsets", ".debug_loc", ".debug_ranges"));
        info = binary.regions().getFirst();
        line = binary.regions().stream().filter(r -> r.name().equals(".debug_line")).findFirst().orElseThrow();
    }

    @FuzzTest(maxDuration = "10s") // the slowest target: ~20 executions/s
    void dwarf(byte[] input) {
        List<Long> patchedInfo = new ArrayList<>();
        List<Long> patchedLine = new ArrayList<>();
        for (PatchedBinary.Patch p : binary.decode(input)) {
            if (p.at() >= info.offset() && p.at() < info.offset() + info.size()) {
                patchedInfo.add(p.at() - info.offset());
            }
            if (p.at() >= line.offset() && p.at() < line.offset() + line.size()) {
                patchedLine.add(p.at() - line.offset());
            }
        }
        binary.run(input, b -> {
            GoDwarf d = b.dwarf();
            PatchedBinary.each(b,
                    x -> functionsToRead(d, patchedInfo).forEach(f -> readFunction(d, f)),
                    x -> {
                        for (Unit u : d.info().units()) {
                            if (patchedInfo.stream().anyMatch(u::contains)) {
                                d.info().children(d.info().unitDie(u)).forEach(c -> c.name());
                            }
                        }
                    },
                    x -> readLineTables(d, patchedLine),
                    x -> d.types().byName("runtime.g").ifPresent(t -> resolveFields(d.types(), t)),
                    x -> d.globalAddress("runtime.buildVersion"),
                    x -> d.globalType("runtime.allgs").ifPresent(t -> resolveFields(d.types(), t)),
                    x -> d.function("main.main").ifPresent(f -> d.inlinedCalls(f)),
                    x -> {
                        try {
                            x.runtimeLayout();
                        } catch (UnknownGoVersionException e) {
                            // The documented exception for a Go version without a layout table.
                        }
                    });
        });
    }

    private static Set<Function> functionsToRead(GoDwarf d, List<Long> patchedInfo) {
        List<Function> all = d.functions();
        Set<Function> out = new LinkedHashSet<>();
        for (int i = 0; i < SAMPLE_FUNCTIONS && !all.isEmpty(); i++) {
            out.add(all.get((int) ((long) i * all.size() / SAMPLE_FUNCTIONS)));
        }
        all.stream().filter(f -> f.name().startsWith("main.")).limit(SAMPLE_FUNCTIONS).forEach(out::add);
        if (!patchedInfo.isEmpty()) {
            List<Unit> units = new ArrayList<>();
            for (long off : patchedInfo) {
                try {
                    units.add(d.info().unitOf(off));
                } catch (BinaryFormatException e) {
                    // Not inside a unit: the header between units.
                }
            }
            all.stream().filter(f -> units.stream().anyMatch(u -> u.contains(f.dieOffset())))
                    .limit(MAX_PATCHED_UNIT_FUNCTIONS).forEach(out::add);
        }
        return out;
    }

    /**
     * When {@code .debug_line} was patched: every unit's line table header, and the rows of the
     * units whose line program was patched (reading the whole table of a big unit like the
     * runtime's on every execution would slow fuzzing down tenfold).
     */
    private static void readLineTables(GoDwarf d, List<Long> patchedLine) {
        if (patchedLine.isEmpty()) {
            return;
        }
        List<Unit> units = d.info().units();
        long[] starts = new long[units.size()];
        for (int i = 0; i < units.size(); i++) {
            starts[i] = d.info().unitDie(units.get(i)).constant(DwAt.STMT_LIST).orElse(-1);
            LineTable.read(d.info(), units.get(i), false).files().size();
        }
        for (long off : patchedLine) {
            int best = -1;
            for (int i = 0; i < starts.length; i++) {
                if (starts[i] >= 0 && starts[i] <= off && (best < 0 || starts[i] > starts[best])) {
                    best = i;
                }
            }
            if (best >= 0) {
                LineTable.read(d.info(), units.get(best), true).rows().size();
            }
        }
    }

    private static void readFunction(GoDwarf d, Function f) {
        try {
            for (Variable v : d.variables(f)) {
                GoType t = d.types().get(v.type());
                resolveFields(d.types(), t);
                d.types().sizeOf(t);
                d.locations(f, v);
                for (LocationEntry e : v.locations()) {
                    d.location(f, v, e.range().low());
                }
            }
            for (InlinedCall c : d.inlinedCalls(f)) {
                c.variables().forEach(v -> d.types().get(v.type()));
            }
            if (f.name().startsWith("main.")) {
                d.lineTable(f).rows().size();
            }
            d.functionAt(f.entry());
        } catch (BinaryFormatException e) {
            PatchedBinary.check(e, binary.file());
        }
    }

    private static void resolveFields(Types types, GoType t) {
        if (types.underlying(t) instanceof GoType.Struct s) {
            s.fields().forEach(f -> types.sizeOf(types.get(f.type())));
        }
    }
}
