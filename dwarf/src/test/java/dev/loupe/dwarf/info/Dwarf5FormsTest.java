package dev.loupe.dwarf.info;

import dev.loupe.dwarf.ElfBuilder;
import dev.loupe.dwarf.ElfBuilder.Bytes;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.godwarf.Function;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.RangeLocation;
import dev.loupe.dwarf.godwarf.Variable;
import dev.loupe.dwarf.loclist.Lists;
import dev.loupe.dwarf.loclist.PcRange;
import dev.loupe.dwarf.op.Location;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DWARF 5 forms that neither Go nor gcc write in the test binaries — {@code strx1-4},
 * {@code addrx1-4}, {@code rnglistx}, {@code loclistx}, {@code data16}, {@code ref_udata} — in
 * a synthetic file (DWARF 5 §7.5.6; lists §7.28, §7.29; string offsets §7.26; addresses §7.27).
 */
class Dwarf5FormsTest {
    private static final long F_LOW = 0x1000;
    private static final long F_HIGH = 0x1040;
    private static final long LOC_BASE = 0x1010;
    private static final long G_LOW = 0x1100;

    @Test
    void readsEveryIndexedForm(@TempDir Path tmp) {
        Path file = build(tmp.resolve("synthetic"));
        try (GoBinary bin = GoBinary.open(file)) {
            GoDwarf dwarf = bin.dwarf();
            assertEquals(5, dwarf.version());
            DebugInfo info = dwarf.info();
            Die cu = info.unitDie(info.units().getFirst());
            assertEquals("synth", cu.name());
            assertEquals("GNU C synth", cu.string(DwAt.PRODUCER).orElseThrow());
            assertEquals("/src", cu.string(DwAt.COMP_DIR).orElseThrow());
            assertEquals(List.of(new PcRange(F_LOW, F_LOW + 0x40), new PcRange(G_LOW, G_LOW + 0x20)), Lists.ranges(info, cu));

            Function f = dwarf.function("synth.f").orElseThrow();
            assertEquals(List.of(new PcRange(F_LOW, F_HIGH)), f.ranges());
            assertEquals(42, f.declLine()); // implicit_const
            assertEquals("synth", f.packagePath());
            List<Variable> vars = dwarf.variables(f);
            assertEquals(List.of("r", "v"), vars.stream().map(Variable::name).toList());
            Variable r = vars.get(0);
            assertEquals(Variable.Kind.RESULT, r.kind());
            assertEquals("int", r.typeName());
            assertEquals(new Location.Register(0), dwarf.location(f, r, F_LOW + 4));
            assertEquals(new Location.CfaOffset(8), dwarf.location(f, r, LOC_BASE + 0x10));
            assertTrue(dwarf.location(f, r, F_HIGH + 1) instanceof Location.Unavailable);
            assertEquals(List.of(new RangeLocation(new PcRange(F_LOW, F_LOW + 0x10), new Location.Register(0)),
                    new RangeLocation(new PcRange(LOC_BASE, LOC_BASE + 0x30), new Location.CfaOffset(8))), dwarf.locations(f, r));
            Variable v = vars.get(1);
            assertEquals(Variable.Kind.LOCAL, v.kind());
            assertEquals(List.of(new PcRange(F_LOW + 8, F_LOW + 0x20)), v.scope());
            assertEquals(new Location.CfaOffset(-8), dwarf.location(f, v, F_LOW + 9));
            assertTrue(dwarf.types().get(v.type()) instanceof GoType.Basic b && b.size() == 8 && b.goKind() == 2);

            Function g = dwarf.function("synth.g").orElseThrow();
            assertEquals(List.of(new PcRange(G_LOW, G_LOW + 0x20)), g.ranges());
            assertEquals("synth.g", dwarf.functionAt(G_LOW + 0x1f).orElseThrow().name());
            assertTrue(dwarf.functionAt(G_LOW + 0x20).isEmpty());
        }
    }

    private static Path build(Path file) {
        Bytes str = new Bytes();
        int[] s = new int[6];
        String[] strings = {"synth", "GNU C synth", "synth.f", "r", "synth.g", "int"};
        for (int i = 0; i < strings.length; i++) {
            s[i] = str.size();
            str.cstr(strings[i]);
        }
        Bytes strOffsets = new Bytes().u32(4 + 4 * 5).u16(5).u16(0);
        for (int i = 0; i < 5; i++) {
            strOffsets.u32(s[i]);
        }
        long[] addrs = {F_LOW, F_LOW, F_HIGH, LOC_BASE, G_LOW};
        Bytes addr = new Bytes().u32(4 + 8L * addrs.length).u16(5).u8(8).u8(0);
        for (long a : addrs) {
            addr.u64(a);
        }
        // Range lists: [0] the unit's two functions, [1] a lexical block inside f.
        Bytes rl0 = new Bytes().u8(3).uleb(1).uleb(0x40).u8(7).u64(G_LOW).uleb(0x20).u8(0);
        Bytes rl1 = new Bytes().u8(1).uleb(1).u8(4).uleb(8).uleb(0x20).u8(0);
        Bytes rngBody = new Bytes().u32(8).u32(8 + rl0.size()).raw(rl0.toArray()).raw(rl1.toArray());
        Bytes rnglists = new Bytes().u32(8 + rngBody.size()).u16(5).u8(8).u8(0).u32(2).raw(rngBody.toArray());
        // Location list [0]: rax for [F_LOW, F_LOW+0x10), CFA+8 for [LOC_BASE, LOC_BASE+0x30).
        Bytes ll0 = new Bytes().u8(3).uleb(1).uleb(0x10).uleb(1).u8(0x50)
                .u8(1).uleb(3).u8(4).uleb(0).uleb(0x30).uleb(3).u8(0x9c).u8(0x23).u8(8).u8(0);
        Bytes locBody = new Bytes().u32(4).raw(ll0.toArray());
        Bytes loclists = new Bytes().u32(8 + locBody.size()).u16(5).u8(8).u8(0).u32(1).raw(locBody.toArray());
        Bytes abbrev = new Bytes()
                .uleb(1).uleb(DwTag.COMPILE_UNIT).u8(1)
                .uleb(DwAt.NAME).uleb(DwForm.STRX1).uleb(DwAt.PRODUCER).uleb(DwForm.STRX)
                .uleb(DwAt.STR_OFFSETS_BASE).uleb(DwForm.SEC_OFFSET).uleb(DwAt.ADDR_BASE).uleb(DwForm.SEC_OFFSET)
                .uleb(DwAt.RNGLISTS_BASE).uleb(DwForm.SEC_OFFSET).uleb(DwAt.LOCLISTS_BASE).uleb(DwForm.SEC_OFFSET)
                .uleb(DwAt.LOW_PC).uleb(DwForm.ADDRX).uleb(DwAt.RANGES).uleb(DwForm.RNGLISTX)
                .uleb(DwAt.LANGUAGE).uleb(DwForm.DATA2).uleb(DwAt.COMP_DIR).uleb(DwForm.LINE_STRP).u8(0).u8(0)
                .uleb(2).uleb(DwTag.SUBPROGRAM).u8(1)
                .uleb(DwAt.NAME).uleb(DwForm.STRX2).uleb(DwAt.LOW_PC).uleb(DwForm.ADDRX1).uleb(DwAt.HIGH_PC).uleb(DwForm.ADDRX2)
                .uleb(DwAt.FRAME_BASE).uleb(DwForm.EXPRLOC).uleb(DwAt.DECL_LINE).uleb(DwForm.IMPLICIT_CONST).sleb(42).u8(0).u8(0)
                .uleb(3).uleb(DwTag.FORMAL_PARAMETER).u8(0)
                .uleb(DwAt.NAME).uleb(DwForm.STRX3).uleb(DwAt.VARIABLE_PARAMETER).uleb(DwForm.FLAG_PRESENT)
                .uleb(DwAt.TYPE).uleb(DwForm.REF4).uleb(DwAt.LOCATION).uleb(DwForm.LOCLISTX).u8(0).u8(0)
                .uleb(4).uleb(DwTag.LEXICAL_BLOCK).u8(1).uleb(DwAt.RANGES).uleb(DwForm.RNGLISTX).u8(0).u8(0)
                .uleb(5).uleb(DwTag.VARIABLE).u8(0)
                .uleb(DwAt.NAME).uleb(DwForm.STRING).uleb(DwAt.TYPE).uleb(DwForm.REF_UDATA)
                .uleb(DwAt.LOCATION).uleb(DwForm.EXPRLOC).uleb(DwAt.CONST_VALUE).uleb(DwForm.DATA16).u8(0).u8(0)
                .uleb(6).uleb(DwTag.BASE_TYPE).u8(0)
                .uleb(DwAt.NAME).uleb(DwForm.STRP).uleb(DwAt.BYTE_SIZE).uleb(DwForm.DATA1).uleb(DwAt.ENCODING).uleb(DwForm.DATA1)
                .uleb(DwAt.GO_KIND).uleb(DwForm.DATA1).u8(0).u8(0)
                .uleb(7).uleb(DwTag.SUBPROGRAM).u8(0)
                .uleb(DwAt.NAME).uleb(DwForm.STRX4).uleb(DwAt.LOW_PC).uleb(DwForm.ADDRX3).uleb(0x52).uleb(DwForm.ADDRX4)
                .uleb(DwAt.HIGH_PC).uleb(DwForm.DATA1).u8(0).u8(0)
                .u8(0);
        int intOffset = 0;
        Bytes dies = null;
        for (int pass = 0; pass < 2; pass++) {
            dies = new Bytes()
                    .uleb(1).u8(0).uleb(1).u32(8).u32(8).u32(12).u32(12).uleb(0).uleb(0).u16(0x1d).u32(0)
                    .uleb(2).u16(2).u8(1).u16(2).uleb(1).u8(0x9c)
                    .uleb(3).u24(3).u32(intOffset).uleb(0)
                    .uleb(4).uleb(1)
                    .uleb(5).cstr("v").uleb(intOffset).uleb(2).u8(0x91).sleb(-8).raw(new byte[16])
                    .u8(0)
                    .u8(0)
                    .uleb(7).u32(4).u24(4).u32(4).u8(0x20);
            intOffset = 12 + dies.size();
            dies.uleb(6).u32(s[5]).u8(8).u8(5).u8(2).u8(0);
        }
        assertTrue(intOffset < 128, "ref_udata written as one byte");
        Bytes info = new Bytes().u32(8 + dies.size()).u16(5).u8(1).u8(8).u32(0).raw(dies.toArray());
        return new ElfBuilder()
                .section(".debug_abbrev", abbrev.toArray())
                .section(".debug_info", info.toArray())
                .section(".debug_str", str.toArray())
                .section(".debug_str_offsets", strOffsets.toArray())
                .section(".debug_addr", addr.toArray())
                .section(".debug_rnglists", rnglists.toArray())
                .section(".debug_loclists", loclists.toArray())
                .section(".debug_line_str", new Bytes().cstr("/src").toArray())
                .write(file);
    }
}
