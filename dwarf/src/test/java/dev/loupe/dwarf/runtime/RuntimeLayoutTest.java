package dev.loupe.dwarf.runtime;

import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoTargets;
import dev.loupe.testkit.GoToolchains;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime layout from DWARF, the committed per-version tables, and stripped binaries.
 * A toolchain without a committed table fails here with the command that generates it.
 */
class RuntimeLayoutTest {
    static List<String> toolchains() {
        return GoToolchains.selected();
    }

    @ParameterizedTest
    @MethodSource("toolchains")
    void committedTableEqualsWhatDwarfSays(String toolchain) {
        GoBuild build = GoBuild.target("values").withToolchain(toolchain);
        RuntimeLayout fromDwarf;
        try (GoBinary bin = GoBinary.open(GoTargets.build(build))) {
            fromDwarf = bin.runtimeLayout();
            assertEquals(RuntimeLayout.Source.DWARF, fromDwarf.source());
            // The symbol table is an independent witness of the globals' addresses.
            assertEquals(bin.elf().symbol("runtime.allgs").orElseThrow().value(), fromDwarf.globals().allgs().orElseThrow());
            assertEquals(bin.elf().symbol("runtime.allglen").orElseThrow().value(), fromDwarf.globals().allglen().orElseThrow());
        }
        try (GoBinary bin = GoBinary.open(GoTargets.build(build))) {
            assertEquals(bin.waitReasons(), RuntimeLayouts.waitReasonsFromTable(fromDwarf.goVersion()),
                    "the wait reasons of the table for " + fromDwarf.goVersion());
            assertTrue(bin.waitReasons().contains("chan receive"), bin.waitReasons().toString());
        }
        RuntimeLayout table = RuntimeLayouts.fromTable(fromDwarf.goVersion());
        assertEquals(RuntimeLayouts.tableLines(fromDwarf), RuntimeLayouts.tableLines(table),
                "the table for " + fromDwarf.goVersion() + " is stale; regenerate it with: "
                        + RuntimeLayouts.GENERATE_COMMAND.formatted(toolchain));
        for (String line : RuntimeLayouts.tableLines(fromDwarf)) {
            assertNotEquals("-1", line.substring(line.indexOf('=') + 1), line + " is absent in " + fromDwarf.goVersion());
        }
        // g.sched is a gobuf: its fields keep their distances.
        RuntimeLayout.G g = fromDwarf.g();
        RuntimeLayout.Gobuf b = fromDwarf.gobuf();
        assertEquals(g.schedSp() - b.sp(), g.schedPc() - b.pc());
        assertEquals(g.schedSp() - b.sp(), g.schedBp() - b.bp());
        assertTrue(fromDwarf.map() instanceof RuntimeLayout.SwissMap, "Go 1.24+ uses swiss maps by default");
    }

    /** A stripped binary: the table's layout and wait reasons, and runtime.allgs found in its code. */
    @ParameterizedTest
    @MethodSource("toolchains")
    void strippedBinaryUsesTheTableOfItsVersion(String toolchain, @TempDir Path dir) {
        GoBuild build = GoBuild.target("values").withToolchain(toolchain);
        Path unstripped = GoTargets.build(build);
        RuntimeLayout fromDwarf;
        try (GoBinary bin = GoBinary.open(unstripped)) {
            fromDwarf = bin.runtimeLayout();
        }
        try (GoBinary bin = GoBinary.open(GoTargets.build(build.asStripped()))) {
            RuntimeLayout stripped = bin.runtimeLayout();
            assertEquals(RuntimeLayout.Source.TABLE, stripped.source());
            assertEquals(fromDwarf.goVersion(), stripped.goVersion());
            assertEquals(fromDwarf.g(), stripped.g());
            assertEquals(fromDwarf.map(), stripped.map());
            // Linked with -s -w, the data may sit elsewhere than in the build with symbols (Go 1.25 moves it).
            assertTrue(stripped.globals().allgs().isPresent(), "runtime.allgs, found in the code");
            assertFalse(bin.waitReasons().isEmpty());
            BinaryFormatException e = assertThrows(BinaryFormatException.class, bin::dwarf);
            assertTrue(e.getMessage().contains(".debug_info") && e.getMessage().contains("no DWARF"), e.getMessage());
        }
        // The same bytes with the symbols and DWARF removed afterwards: the address the code shows is the symbol's.
        Path copy = dir.resolve("values-objcopy-stripped");
        Exec.run(Exec.cmd("objcopy", "--strip-all", unstripped.toString(), copy.toString()));
        try (GoBinary bin = GoBinary.open(copy)) {
            assertTrue(bin.isStripped() && !bin.hasDwarf());
            assertEquals(fromDwarf.globals().allgs(), bin.runtimeLayout().globals().allgs(), "runtime.allgs, found in the code");
        }
    }

    @Test
    void unknownVersionNamesTheVersionAndTheCommand() {
        UnknownGoVersionException e = assertThrows(UnknownGoVersionException.class, () -> RuntimeLayouts.fromTable("go1.17.13"));
        assertEquals("go1.17.13", e.goVersion());
        assertTrue(e.getMessage().contains("go1.17.13") && e.getMessage().contains("LayoutTableGenerator go1.17"), e.getMessage());
        assertEquals("go1.26", RuntimeLayouts.minorVersion("go1.26.8"));
        assertEquals("go1.26", RuntimeLayouts.minorVersion("go1.26rc1"));
    }
}
