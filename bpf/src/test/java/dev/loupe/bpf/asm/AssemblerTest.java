package dev.loupe.bpf.asm;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Map;

import static dev.loupe.bpf.asm.Register.R0;
import static dev.loupe.bpf.asm.Register.R1;
import static dev.loupe.bpf.asm.Register.R2;
import static dev.loupe.bpf.asm.Register.R3;
import static dev.loupe.bpf.asm.Register.RFP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AssemblerTest {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    @Test
    void encodesTheKernelLayout() {
        Program p = new Assembler()
                .emit(Insn.mov64Imm(R0, 0))
                .emit(Insn.stx(Size.DW, RFP, -8, R1))
                .emit(Insn.exit())
                .build();
        assertEquals(
                "b7 00 00 00 00 00 00 00 7b 1a f8 ff 00 00 00 00 95 00 00 00 00 00 00 00",
                HEX.formatHex(p.encode()));
    }

    @Test
    void ldImm64TakesTwoSlotsWithTheHighHalfInTheSecond() {
        Program p = new Assembler().emit(Insn.ldImm64(R1, 0x1122_3344_5566_7788L), Insn.exit()).build();
        assertEquals(3, p.slots());
        assertEquals(
                "18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11 95 00 00 00 00 00 00 00",
                HEX.formatHex(p.encode()));
    }

    @Test
    void resolvesLabelsIntoSlotDistances() {
        Program p = new Assembler()
                .label("top")
                .emit(JumpOp.JEQ.imm(R1, 0, "exit"))        // slot 0 -> 4: +3
                .emit(Insn.ldImm64(R2, 1L << 40))           // slots 1-2
                .emit(Insn.ja("top"))                       // slot 3 -> 0: -4
                .label("exit")
                .emit(Insn.exit())
                .build();
        ByteBuffer bytes = ByteBuffer.wrap(p.encode()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, bytes.getShort(2));
        assertEquals(-4, bytes.getShort(3 * 8 + 2));
    }

    @Test
    void resolvesCallsAndFunctionReferencesInTheImmediate() {
        Program p = new Assembler()
                .emit(Insn.loadFunc(R2, "callback"))        // slots 0-1 -> 4: +3
                .emit(Insn.callLabel("callback"))           // slot 2 -> 4: +1
                .emit(Insn.exit())
                .label("callback")
                .emit(Insn.mov64Imm(R0, 0), Insn.exit())
                .build();
        ByteBuffer bytes = ByteBuffer.wrap(p.encode()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, bytes.getInt(4));
        assertEquals(1, bytes.getInt(2 * 8 + 4));
    }

    @Test
    void fillsMapFdsByName() {
        Program p = new Assembler().emit(Insn.loadMap(R1, "events"), Insn.exit()).build();
        byte[] bytes = p.encode(Map.of("events", 42));
        assertEquals(0x18, bytes[0]);
        assertEquals(0x11, bytes[1]); // src = BPF_PSEUDO_MAP_FD, dst = r1
        assertEquals(42, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
    }

    @Test
    void reportsAMapWithoutFd() {
        Program p = new Assembler().emit(Insn.mov64Imm(R0, 0), Insn.loadMap(R1, "events"), Insn.exit()).build();
        AsmException e = assertThrows(AsmException.class, p::encode);
        assertEquals("at insn 1: no fd for map 'events'", e.getMessage());
        assertEquals(1, e.slot());
    }

    @Test
    void reportsADuplicateLabel() {
        Program p = new Assembler()
                .label("exit").emit(Insn.mov64Imm(R0, 0))
                .label("exit").emit(Insn.exit())
                .build();
        AsmException e = assertThrows(AsmException.class, p::encode);
        assertEquals("at insn 1: duplicate label 'exit' (first at insn 0)", e.getMessage());
    }

    @Test
    void reportsAMissingLabel() {
        Program p = new Assembler()
                .emit(Insn.ldImm64(R1, 7))
                .emit(JumpOp.JNE.reg(R1, R2, "nowhere"))
                .emit(Insn.exit())
                .build();
        AsmException e = assertThrows(AsmException.class, p::encode);
        assertEquals("at insn 2: jump to unknown label 'nowhere'", e.getMessage());
    }

    @Test
    void reportsAJumpBeyondTheOffsetField() {
        Assembler asm = new Assembler().emit(Insn.ja("far"));
        for (int i = 0; i < 40_000; i++) {
            asm.emit(Insn.mov64Imm(R0, i));
        }
        Program p = asm.label("far").emit(Insn.exit()).build();
        AsmException e = assertThrows(AsmException.class, p::encode);
        assertEquals("at insn 0: jump to 'far' is 40000 slots away, beyond the 16-bit offset", e.getMessage());
    }

    @Test
    void rejectsTwoLabelsOnOneInstructionAndADanglingLabel() {
        assertEquals("at insn 1: labels 'a' and 'b' on the same instruction",
                assertThrows(AsmException.class,
                        () -> new Assembler().emit(Insn.exit()).label("a").label("b")).getMessage());
        assertEquals("at insn 1: label 'end' at the end of the program has no instruction",
                assertThrows(AsmException.class,
                        () -> new Assembler().emit(Insn.exit()).label("end").build()).getMessage());
    }

    @Test
    void rejectsAReferenceOnAnInstructionThatTakesNone() {
        Program p = new Assembler().emit(Insn.mov64Imm(R0, 0).withReference("x"), Insn.exit()).build();
        assertEquals("at insn 0: reference 'x' on an instruction that takes none: r0 = 0",
                assertThrows(AsmException.class, p::encode).getMessage());
    }

    @Test
    void rejectsOutOfRangeFields() {
        assertThrows(IllegalArgumentException.class, () -> AluOp.ADD.imm(R0, 1).withImm(1L << 32));
        assertThrows(IllegalArgumentException.class, () -> Insn.ldx(Size.W, R0, R1, 40_000));
        assertThrows(IllegalArgumentException.class, () -> AtomicOp.ADD.insn(Size.B, R0, 0, R1));
        assertThrows(UnsupportedOperationException.class, () -> JumpOp.CALL.imm(R0, 0, "x"));
    }

    @Test
    void decodeThenEncodeRoundTrips() {
        Program p = new Assembler()
                .emit(Insn.mov64Reg(Register.R6, R1))
                .emit(Insn.ldImm64(R1, -2))
                .emit(Insn.loadMap(R2, "m"))
                .emit(Insn.st(Size.W, RFP, -4, 9), Insn.ldx(Size.H, R3, RFP, -4))
                .emit(AluOp.LSH.imm32(R3, 3), AluOp.XOR.reg32(R3, R1), AluOp.ARSH.reg(R3, R2))
                .emit(AtomicOp.FETCH_ADD.insn(Size.DW, R2, 8, R3))
                .emit(JumpOp.JSLT.imm32(R3, -1, "out"), Insn.call(Helper.KTIME_GET_NS))
                .label("out")
                .emit(Insn.exit())
                .build();
        byte[] bytes = p.encode(Map.of("m", 3));
        Program decoded = Program.decode(bytes);
        assertEquals(p.insns().size(), decoded.insns().size());
        assertArrayEquals(bytes, decoded.encode());
        assertEquals(-2, decoded.insns().get(1).imm());
    }

    @Test
    void decodeRejectsMalformedBytes() {
        assertEquals("program of 12 bytes is not a whole number of 8-byte slots",
                assertThrows(AsmException.class, () -> Program.decode(new byte[12])).getMessage());
        byte[] lonelyLdImm64 = {0x18, 0x01, 0, 0, 1, 0, 0, 0};
        assertEquals("at insn 0: ld_imm64 without its second slot",
                assertThrows(AsmException.class, () -> Program.decode(lonelyLdImm64)).getMessage());
        byte[] dirtySecondSlot = {0x18, 0x01, 0, 0, 1, 0, 0, 0, 0x07, 0, 0, 0, 0, 0, 0, 0};
        assertEquals("at insn 0: second slot of ld_imm64 must have zero opcode, registers and offset",
                assertThrows(AsmException.class, () -> Program.decode(dirtySecondSlot)).getMessage());
        byte[] badRegister = {(byte) 0xb7, 0x0c, 0, 0, 0, 0, 0, 0};
        assertEquals("at insn 0: invalid dst register r12",
                assertThrows(AsmException.class, () -> Program.decode(badRegister)).getMessage());
    }

    @Test
    void mapIndexesOnTheWireAreBoundToFdsInOrder() {
        Program p = new Assembler()
                .emit(Insn.loadMap(R1, "b"), Insn.ldImm64(R2, 1), Insn.loadMap(R3, "a"), Insn.exit())
                .build();
        byte[] wire = p.encode(Map.of("a", 0, "b", 1));
        assertArrayEquals(p.encode(Map.of("a", 40, "b", 41)), Program.bindMaps(wire, new int[] {40, 41}));
    }

    @Test
    void aMapIndexBeyondTheMapsIsRefused() {
        byte[] wire = new Assembler().emit(Insn.loadMap(R1, "a"), Insn.exit()).build().encode(Map.of("a", 2));
        AsmException e = assertThrows(AsmException.class, () -> Program.bindMaps(wire, new int[] {7, 8}));
        assertEquals("at insn 0: map reference 2 but the program has 2 maps", e.getMessage());
    }
}
