package dev.loupe.dwarf.op;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Location expressions as Go and gcc write them, and the ones that must fail softly (DWARF 5 §2.5, §2.6). */
class ExpressionsTest {
    private static final Location CFA = Expressions.GO_FRAME_BASE;

    private static Location eval(Location frameBase, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Expressions.evaluate(b, frameBase, 8);
    }

    @Test
    void goLocations() {
        assertEquals(new Location.Register(0), eval(CFA, 0x50)); // DW_OP_reg0
        assertEquals("rbx", ((Location.Register) eval(CFA, 0x53)).name());
        assertEquals(new Location.Register(17), eval(CFA, 0x90, 17)); // DW_OP_regx xmm0
        assertEquals(new Location.CfaOffset(8), eval(CFA, 0x9c, 0x11, 8, 0x22)); // call_frame_cfa; consts 8; plus
        assertEquals(new Location.CfaOffset(-24), eval(CFA, 0x91, 0x68)); // fbreg -24
        assertEquals(new Location.Address(0x4d2000), eval(CFA, 0x03, 0x00, 0x20, 0x4d, 0, 0, 0, 0, 0)); // addr
        assertEquals(new Location.Indirect(new Location.CfaOffset(16), 0), eval(CFA, 0x91, 0x10, 0x06)); // fbreg 16; deref
        // A string in two registers: rax for the pointer, rbx for the length.
        assertEquals(new Location.Pieces(List.of(new Location.Piece(8, new Location.Register(0)),
                new Location.Piece(8, new Location.Register(3)))), eval(CFA, 0x50, 0x93, 8, 0x53, 0x93, 8));
        // A piece with no location is optimized out; a stack piece is memory.
        assertEquals(new Location.Pieces(List.of(new Location.Piece(8, new Location.Unavailable("optimized out")),
                new Location.Piece(8, new Location.CfaOffset(0)))), eval(CFA, 0x93, 8, 0x9c, 0x93, 8));
    }

    @Test
    void cLocations() {
        Location rbpBase = new Location.Register(6);
        assertEquals(new Location.RegisterOffset(6, -20), eval(rbpBase, 0x91, 0x6c)); // fbreg -20 with frame base rbp
        assertEquals(new Location.RegisterOffset(7, 8), eval(CFA, 0x77, 8)); // breg7 8
        assertEquals(new Location.Value(42), eval(CFA, 0x08, 42, 0x9f)); // const1u 42; stack_value
        assertEquals(new Location.Value(3), eval(CFA, 0x31, 0x32, 0x22, 0x9f)); // lit1 lit2 plus stack_value
        assertEquals(new Location.Value(7), eval(CFA, 0x9e, 1, 7)); // implicit_value
    }

    @Test
    void badExpressionsBecomeProblems() {
        assertTrue(eval(CFA, 0xa3, 1, 0x50) instanceof Location.Problem p && p.message().contains("unsupported op DW_OP_entry_value"));
        assertTrue(eval(CFA, 0x11) instanceof Location.Problem p && p.message().contains("truncated"));
        assertTrue(eval(CFA, 0x22) instanceof Location.Problem p && p.message().contains("underflow"));
        assertTrue(eval(CFA, 0x2f, 0xfd, 0xff) instanceof Location.Problem p && p.message().contains("steps")); // skip -3: a loop
        assertTrue(eval(CFA, 0x2f, 0x00, 0x10) instanceof Location.Problem p && p.message().contains("outside"));
        assertTrue(eval(CFA, 0x9c, 0x9c, 0x22) instanceof Location.Problem);
        assertTrue(eval(CFA, 0x30, 0x30, 0x1b) instanceof Location.Problem p && p.message().contains("div"));
        assertTrue(eval(null, 0x91, 0) instanceof Location.Problem);
        assertTrue(eval(CFA) instanceof Location.Unavailable);
    }
}
