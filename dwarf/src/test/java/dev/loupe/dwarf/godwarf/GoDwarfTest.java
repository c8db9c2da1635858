package dev.loupe.dwarf.godwarf;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.TestBinaries;
import dev.loupe.dwarf.TestBinaries.Variant;
import dev.loupe.dwarf.info.DebugInfo;
import dev.loupe.dwarf.info.Die;
import dev.loupe.dwarf.info.DwAt;
import dev.loupe.dwarf.info.Unit;
import dev.loupe.dwarf.line.LineRow;
import dev.loupe.dwarf.line.LineTable;
import dev.loupe.dwarf.op.Location;
import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Functions, lines and inlined calls from DWARF against the pclntab, in every link variant. */
class GoDwarfTest {
    /**
     * Every DWARF function of the {@code go} command starts at a pclntab function of the same
     * name and ends within it (pclntab ends include alignment padding); nearly every pclntab
     * function has DWARF (assembly and linker-made ones may not).
     */
    @Test
    void goCommandFunctionsAgreeWithPclntab() {
        try (GoBinary go = GoBinary.open(TestBinaries.goCommand())) {
            Pclntab tab = go.pclntab();
            GoDwarf dwarf = go.dwarf();
            List<String> mismatches = new ArrayList<>();
            int checked = 0;
            for (Function f : dwarf.functions()) {
                Optional<Func> p = tab.functionAt(f.entry());
                checked++;
                if (p.isEmpty() || p.get().entry() != f.entry() || !p.get().name().equals(f.name()) || f.end() > p.get().end()
                        || f.end() <= f.entry()) {
                    mismatches.add(f.name() + " " + f.ranges() + " vs " + p);
                }
            }
            assertEquals(List.of(), mismatches.stream().limit(20).toList());
            assertTrue(checked > 0.9 * tab.functionCount(), checked + " DWARF functions, " + tab.functionCount() + " in the pclntab");
            assertTrue(dwarf.functionNames().contains("main.main"));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"PLAIN", "PIE", "EXTERNAL_LINK", "UNCOMPRESSED_DWARF", "DWARF4"})
    void variantsAgreeWithPclntab(Variant v) {
        try (GoBinary bin = GoBinary.open(TestBinaries.inlining(v))) {
            GoDwarf dwarf = bin.dwarf();
            assertEquals(v == Variant.DWARF4 ? 4 : 5, dwarf.version(), "DWARF version");
            Pclntab tab = bin.pclntab();
            List<String> names = tab.functions().stream().map(Func::name).filter(n -> n.startsWith("main.")).toList();
            assertTrue(names.size() >= 4, names.toString());
            for (String name : names) {
                Function f = dwarf.function(name).orElseThrow(() -> new AssertionError(name + " not in DWARF"));
                Func p = tab.functionAt(f.entry()).orElseThrow();
                assertEquals(name, p.name());
                assertEquals(p.entry(), f.entry(), name);
                if (!name.contains("wrap")) { // compiler-made wrappers have no declaration
                    assertEquals(tab.line(p.entry()).file(), f.declFile(), name + " decl file");
                }
                assertEquals("main", f.packagePath());
                assertEquals(dwarf.functionAt(f.entry() + 1).map(Function::name), Optional.of(name));
            }
            // main.main inlines bump, which inlines middle, which inlines leaf.
            Function main = dwarf.function("main.main").orElseThrow();
            List<InlinedCall> calls = dwarf.inlinedCalls(main);
            List<String> chain = List.of("main.(*counter).bump", "main.middle", "main.leaf");
            for (int depth = 1; depth <= 3; depth++) {
                String name = chain.get(depth - 1);
                int d = depth;
                InlinedCall call = calls.stream().filter(c -> c.function().equals(name) && c.depth() == d).findFirst()
                        .orElseThrow(() -> new AssertionError(name + " at depth " + d + " not in " + calls));
                assertFalse(call.ranges().isEmpty());
                // pclntab's inline tree names the same function at a pc of the inlined body.
                long pc = call.ranges().getFirst().low();
                assertTrue(tab.frames(pc).stream().anyMatch(fr -> fr.function().equals(name)), name + " at 0x" + Long.toHexString(pc));
                assertTrue(call.callLine() > 0 && call.callFile().endsWith("main.go"), call.toString());
            }
            // The line program of main's unit agrees with the pclntab at every row outside inlined code.
            LineTable lines = dwarf.lineTable(main);
            int rows = 0;
            for (LineRow r : lines.rows()) {
                if (!r.endSequence() && main.contains(r.address()) && tab.frames(r.address()).size() == 1) {
                    assertEquals(tab.line(r.address()).line(), r.line(), "line at 0x" + Long.toHexString(r.address()));
                    assertEquals(tab.line(r.address()).file(), r.file(), "file at 0x" + Long.toHexString(r.address()));
                    rows++;
                }
            }
            assertTrue(rows > 10, rows + " rows");
        }
    }

    /** cgo's C units (gcc's DWARF) are read too: unit DIEs, functions, line programs. */
    @Test
    void cgoCUnitsAreRead() {
        try (GoBinary bin = GoBinary.open(TestBinaries.inlining(Variant.EXTERNAL_LINK))) {
            DebugInfo info = bin.dwarf().info();
            int cUnits = 0;
            for (Unit u : info.units()) {
                Die cu = info.unitDie(u);
                if (cu.string(DwAt.PRODUCER).orElse("").startsWith("GNU C")) {
                    cUnits++;
                    info.children(cu);
                    LineTable lt = LineTable.read(info, u, true);
                    assertFalse(lt.files().isEmpty(), u.toString());
                }
            }
            assertTrue(cUnits > 0, "no C units");
            Function crosscall = bin.dwarf().function("crosscall1").or(() -> bin.dwarf().function("x_cgo_init"))
                    .orElseThrow(() -> new AssertionError("no C function"));
            assertFalse(crosscall.ranges().isEmpty());
            assertTrue(bin.dwarf().variables(crosscall).stream().allMatch(var -> var.problem().isEmpty()));
        }
    }

    @Test
    void receiversAndPackagesComeFromNames() {
        try (GoBinary go = GoBinary.open(TestBinaries.goCommand())) {
            GoDwarf dwarf = go.dwarf();
            Function byPointer = dwarf.function("os.(*File).Write").orElseThrow();
            assertEquals(Optional.of("*File"), byPointer.receiver());
            // Results are marked by DW_AT_variable_parameter: func (f *File) Write(b []byte) (n int, err error);
            // an inner block declares another err, listed later.
            var kinds = dwarf.variables(byPointer).stream().collect(java.util.stream.Collectors.toMap(Variable::name, Variable::kind, (first, inner) -> first));
            assertEquals(Variable.Kind.PARAMETER, kinds.get("f"));
            assertEquals(Variable.Kind.PARAMETER, kinds.get("b"));
            assertEquals(Variable.Kind.RESULT, kinds.get("n"));
            assertEquals(Variable.Kind.RESULT, kinds.get("err"));
            assertEquals("os", byPointer.packagePath());
            Function byValue = dwarf.functions().stream().filter(f -> f.name().matches("time\\.Time\\.[A-Z]\\w+")).findFirst()
                    .orElseThrow();
            assertEquals(Optional.of("Time"), byValue.receiver());
            Function closure = dwarf.functions().stream().filter(f -> f.name().matches("[a-z/]+\\.[a-z]\\w*\\.func\\d+")).findFirst().orElseThrow();
            assertEquals(Optional.empty(), closure.receiver());
            assertEquals("internal/sync", Function.packagePathOf("internal/sync.(*Mutex).lockSlow"));
            assertEquals("main", Function.packagePathOf("main.pair[go.shape.string]"));
        }
    }

    @Test
    void locationsOfEveryVariableInTheGoCommandEvaluate() {
        try (GoBinary go = GoBinary.open(TestBinaries.goCommand())) {
            GoDwarf dwarf = go.dwarf();
            int evaluated = 0;
            List<String> problems = new ArrayList<>();
            List<Function> all = dwarf.functions();
            for (int i = 0; i < all.size(); i += 7) {
                Function f = all.get(i);
                for (Variable v : dwarf.variables(f)) {
                    v.problem().ifPresent(p -> problems.add(f.name() + "." + v.name() + ": " + p));
                    for (var e : v.locations()) {
                        long pc = Math.max(e.range().low(), f.entry());
                        Location l = dwarf.location(f, v, pc);
                        evaluated++;
                        if (l instanceof Location.Problem p) {
                            problems.add(f.name() + "." + v.name() + " at 0x" + Long.toHexString(pc) + ": " + p.message());
                        }
                    }
                }
            }
            assertEquals(List.of(), problems.stream().limit(20).toList());
            assertTrue(evaluated > 10_000, evaluated + " locations");
        }
    }
}
