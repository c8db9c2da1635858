package dev.loupe.probegen;

import dev.loupe.bpf.asm.AluOp;
import dev.loupe.bpf.asm.Assembler;
import dev.loupe.bpf.asm.Helper;
import dev.loupe.bpf.asm.Insn;
import dev.loupe.bpf.asm.JumpOp;
import dev.loupe.bpf.asm.Register;
import dev.loupe.bpf.asm.Size;
import dev.loupe.bpf.btf.KernelFacts;

import static dev.loupe.bpf.asm.Register.R0;
import static dev.loupe.bpf.asm.Register.R1;
import static dev.loupe.bpf.asm.Register.R2;
import static dev.loupe.bpf.asm.Register.R3;
import static dev.loupe.bpf.asm.Register.R4;
import static dev.loupe.bpf.asm.Register.R5;
import static dev.loupe.bpf.asm.Register.R7;
import static dev.loupe.bpf.asm.Register.RFP;

/**
 * The helper and kfunc calls the generated programs make, as instruction sequences. The programs keep the task
 * being iterated (the target's main thread) in r7.
 */
final class Calls {
    /** {@code BPF_RB_NO_WAKEUP}: the agent polls the ring buffer; a wakeup per record would cost an irq_work each. */
    static final int RB_NO_WAKEUP = 1;

    private Calls() {}

    /** r0 = map_lookup_elem(map, fp + key); to {@code missing} when null. */
    static void lookup(Assembler a, String map, int key, String missing) {
        a.emit(Insn.loadMap(R1, map), Insn.mov64Reg(R2, RFP), AluOp.ADD.imm(R2, key))
                .emit(Insn.call(Helper.MAP_LOOKUP_ELEM))
                .emit(JumpOp.JEQ.imm(R0, 0, missing));
    }

    /** {@code bpf_copy_from_user_task(r1, r2, r3, task, 0)}: r0 is 0 or a negative errno. */
    static void copyFromTarget(Assembler a) {
        a.emit(Insn.mov64Reg(R4, R7), Insn.mov64Imm(R5, 0), Insn.call(Helper.COPY_FROM_USER_TASK));
    }

    /** stats[offset]++, with r1 holding the stats value. */
    static void increment(Assembler a, int offset) {
        a.emit(Insn.ldx(Size.DW, R2, R1, offset), AluOp.ADD.imm(R2, 1), Insn.stx(Size.DW, R1, offset, R2));
    }

    /** {@code bpf_iter_num_new(fp + slot, 0, end)}: an open-coded loop the verifier checks once. */
    static void iterNew(Assembler a, KernelFacts kernel, int slot, Register end) {
        a.emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, slot), Insn.mov64Imm(R2, 0), Insn.mov64Reg(R3, end))
                .emit(Insn.callKfunc(kernel.iterNumNew()));
    }

    /** r0 = {@code bpf_iter_num_next(fp + slot)}, a pointer to the index; to {@code exhausted} at the end. */
    static void iterNext(Assembler a, KernelFacts kernel, int slot, String exhausted) {
        a.emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, slot))
                .emit(Insn.callKfunc(kernel.iterNumNext()))
                .emit(JumpOp.JEQ.imm(R0, 0, exhausted));
    }

    /** {@code bpf_iter_num_destroy(fp + slot)}. */
    static void iterDestroy(Assembler a, KernelFacts kernel, int slot) {
        a.emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, slot))
                .emit(Insn.callKfunc(kernel.iterNumDestroy()));
    }
}
