package dev.loupe.bpf.asm;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.loupe.bpf.asm.Register.R0;
import static dev.loupe.bpf.asm.Register.R1;
import static dev.loupe.bpf.asm.Register.R2;
import static dev.loupe.bpf.asm.Register.R3;
import static dev.loupe.bpf.asm.Register.R4;
import static dev.loupe.bpf.asm.Register.R6;
import static dev.loupe.bpf.asm.Register.R7;
import static dev.loupe.bpf.asm.Register.RFP;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DisassemblerTest {

    /** A program in the shape Loupe's probes take, touching every family of mnemonics. */
    static Program sample() {
        return new Assembler()
                .emit(Insn.mov64Reg(R6, R1))
                .emit(Insn.ldx(Size.DW, R7, R6, 8))
                .emit(JumpOp.JEQ.imm(R7, 0, "exit"))
                .emit(Insn.ldImm64(R1, 0x1122_3344_5566_7788L))
                .emit(Insn.stx(Size.DW, RFP, -8, R1))
                .emit(Insn.st(Size.W, RFP, -12, 0))
                .emit(Insn.loadMap(R1, "events"))
                .emit(Insn.mov64Reg(R2, RFP), AluOp.ADD.imm(R2, -8))
                .emit(Insn.mov64Imm(R3, 8), Insn.mov64Imm(R4, 0))
                .emit(Insn.call(Helper.RINGBUF_OUTPUT))
                .emit(JumpOp.JSLT.imm(R0, -1, "exit"))
                .emit(AluOp.MOV.imm32(R0, 1), AluOp.LSH.imm(R0, 32), AluOp.NEG.imm(R0, 0))
                .emit(AtomicOp.ADD.insn(Size.DW, R6, 0, R0))
                .emit(AtomicOp.FETCH_ADD.insn(Size.W, R6, 4, R0))
                .emit(AtomicOp.CMPXCHG.insn(Size.DW, R6, 0, R3))
                .emit(JumpOp.JLE.reg32(R0, R3, "loop"))
                .emit(Insn.loadFunc(R2, "loop"))
                .emit(Insn.call(Helper.LOOP))
                .label("exit")
                .emit(Insn.mov64Imm(R0, 0))
                .emit(Insn.exit())
                .label("loop")
                .emit(Insn.callLabel("exit"))
                .emit(Insn.exit())
                .build();
    }

    @Test
    void listsLabelsSlotsAndMnemonics() {
        assertEquals("""
                   0: r6 = r1
                   1: r7 = *(u64 *)(r6 +8)
                   2: if r7 == 0x0 goto +22 <exit>
                   3: r1 = 0x1122334455667788 ll
                   5: *(u64 *)(r10 -8) = r1
                   6: *(u32 *)(r10 -12) = 0
                   7: r1 = map[events]
                   9: r2 = r10
                  10: r2 += -8
                  11: r3 = 8
                  12: r4 = 0
                  13: call bpf_ringbuf_output#130
                  14: if r0 s< -0x1 goto +10 <exit>
                  15: w0 = 1
                  16: r0 <<= 32
                  17: r0 = -r0
                  18: lock *(u64 *)(r6 +0) += r0
                  19: w0 = atomic_fetch_add((u32 *)(r6 +4), w0)
                  20: r0 = atomic64_cmpxchg((u64 *)(r6 +0), r0, r3)
                  21: if w0 <= w3 goto +5 <loop>
                  22: r2 = func +4 <loop>
                  24: call bpf_loop#181
                exit:
                  25: r0 = 0
                  26: exit
                loop:
                  27: call -3 <exit>
                  28: exit
                """, sample().toString());
    }

    @Test
    void listsDecodedProgramsWithNumericTargets() {
        Program decoded = Program.decode(sample().encode(Map.of("events", 5)));
        String listing = decoded.toString();
        assertEquals("   2: if r7 == 0x0 goto +22", listing.lines().toList().get(2));
        assertEquals("   7: r1 = map[fd:5]", listing.lines().toList().get(6));
        assertEquals("  27: call -3", listing.lines().toList().get(24));
    }

    @Test
    void listsRarerForms() {
        assertEquals("r1 = be16 r1", new Insn(0xdc, R1, R0, (short) 0, 16).toString());
        assertEquals("r1 = bswap64 r1", new Insn(0xd7, R1, R0, (short) 0, 64).toString());
        assertEquals("r1 = (s8)r2", new Insn(0xbf, R1, R2, (short) 8, 0).toString());
        assertEquals("r1 s/= 3", new Insn(0x37, R1, R0, (short) 1, 3).toString());
        assertEquals("r1 = *(s16 *)(r2 -2)", new Insn(0x89, R1, R2, (short) -2, 0).toString());
        assertEquals("call kfunc#12345", new Insn(0x85, R0, Insn.PSEUDO_KFUNC_CALL, (short) 0, 12345).toString());
        assertEquals("call unknown#9999", new Insn(0x85, R0, R0, (short) 0, 9999).toString());
        assertEquals("r0 = *(u16 *)skb[12]", new Insn(0x28, R0, R0, (short) 0, 12).toString());
        assertEquals("goto <exit>", Insn.ja("exit").toString());
        assertEquals("unknown opcode 0xe4", new Insn(0xe4, R0, R0, (short) 0, 0).toString());
    }
}
