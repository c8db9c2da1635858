package dev.loupe.probegen;

import dev.loupe.bpf.asm.AluOp;
import dev.loupe.bpf.asm.Assembler;
import dev.loupe.bpf.asm.Helper;
import dev.loupe.bpf.asm.Insn;
import dev.loupe.bpf.asm.JumpOp;
import dev.loupe.bpf.asm.Program;
import dev.loupe.bpf.asm.Size;
import dev.loupe.bpf.btf.KernelFacts;
import dev.loupe.dwarf.runtime.RuntimeLayout;

import static dev.loupe.bpf.asm.Register.R0;
import static dev.loupe.bpf.asm.Register.R1;
import static dev.loupe.bpf.asm.Register.R2;
import static dev.loupe.bpf.asm.Register.R3;
import static dev.loupe.bpf.asm.Register.R4;
import static dev.loupe.bpf.asm.Register.R5;
import static dev.loupe.bpf.asm.Register.R6;
import static dev.loupe.bpf.asm.Register.R7;
import static dev.loupe.bpf.asm.Register.R8;
import static dev.loupe.bpf.asm.Register.R9;
import static dev.loupe.bpf.asm.Register.RFP;

/**
 * The first stage of the snapshot program: a sleepable task iterator ({@code iter.s/task}) that, on the target's
 * main thread, walks {@code runtime.allgs} and emits every {@code runtime.g} whole into a ring buffer. One record
 * per goroutine; reads: one per {@value #CHUNK} pointers of allgs, then one per g. The decoder picks the fields
 * out with the binary's {@link RuntimeLayout}, so the program stays the same for every Go version.
 *
 * <p>Record layout, little-endian: {@code u32 index} in allgs, {@code s32 error} (0, or the negative errno of
 * the copy, in which case the g bytes are zero), then {@code G_SIZE} bytes of the g.
 */
public final class GoroutineWalk {
    /** Bytes before the g in a record. */
    public static final int HEADER_BYTES = 8;
    /** At most this many goroutines are walked; allglen beyond it is reported as truncation by the decoder. */
    public static final int MAX_GOROUTINES = 1 << 22;
    /** The ring buffer map's name in the program's references. */
    public static final String RECORDS_MAP = "records";

    private static final int ITER_STATE = -8;
    private static final int ALLGLEN = -16;
    private static final int ALLGS_PTR = -24;
    private static final int G_PTR = -32;
    /** allgs is read this many pointers at a time into the stack: one read instead of one per goroutine. */
    private static final int CHUNK = 32;
    private static final int CHUNK_BUF = G_PTR - CHUNK * 8;

    private GoroutineWalk() {}

    /** The program for a binary with this layout, on a kernel with these facts, for process {@code tgid}. */
    public static Program program(RuntimeLayout layout, KernelFacts kernel, int tgid) {
        long allgs = layout.globals().allgs().orElseThrow(() -> new IllegalArgumentException("the binary's runtime.allgs address is unknown"));
        long allglen = layout.globals().allglen().orElseThrow(() -> new IllegalArgumentException("the binary's runtime.allglen address is unknown"));
        int gSize = Math.toIntExact(layout.g().size());
        int recordBytes = HEADER_BYTES + gSize;
        Assembler a = new Assembler();
        // r7 = the task; run once, on the process's main thread (pid == tgid).
        a.emit(Insn.ldx(Size.DW, R7, R1, kernel.ctxTask()))
                .emit(JumpOp.JEQ.imm(R7, 0, "exit"))
                .emit(Insn.ldx(Size.W, R1, R7, kernel.taskTgid()))
                .emit(JumpOp.JNE.imm(R1, tgid, "exit"))
                .emit(Insn.ldx(Size.W, R2, R7, kernel.taskPid()))
                .emit(JumpOp.JNE.reg(R1, R2, "exit"));
        // The verifier lets the loop read the chunk at a variable offset only if every byte of it is initialised.
        for (int off = CHUNK_BUF; off < G_PTR; off += 8) {
            a.emit(Insn.st(Size.DW, RFP, off, 0));
        }
        copyFromTarget(a, ALLGLEN, 8, allglen);
        copyFromTarget(a, ALLGS_PTR, 8, allgs + layout.slice().array());
        // r8 = min(allglen, MAX_GOROUTINES); r9 = allgs.array
        a.emit(Insn.ldx(Size.DW, R8, RFP, ALLGLEN))
                .emit(JumpOp.JLE.imm(R8, MAX_GOROUTINES, "bounded"))
                .emit(Insn.mov64Imm(R8, MAX_GOROUTINES))
                .label("bounded")
                .emit(Insn.ldx(Size.DW, R9, RFP, ALLGS_PTR));
        // for r6 in bpf_iter_num(0, r8): an open-coded iterator, verified once however many goroutines there are.
        a.emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, ITER_STATE), Insn.mov64Imm(R2, 0), Insn.mov64Reg(R3, R8))
                .emit(Insn.callKfunc(kernel.iterNumNew()))
                .label("next")
                .emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, ITER_STATE))
                .emit(Insn.callKfunc(kernel.iterNumNext()))
                .emit(JumpOp.JEQ.imm(R0, 0, "done"))
                .emit(Insn.ldx(Size.W, R6, R0, 0));
        // At each CHUNK-th goroutine: read the next min(CHUNK, r8 - r6) pointers of allgs into the chunk buffer
        // (zeroed by the helper if the read fails, which then shows as a failed read of a nil g).
        a.emit(Insn.mov64Reg(R1, R6), AluOp.AND.imm(R1, CHUNK - 1))
                .emit(JumpOp.JNE.imm(R1, 0, "chunk_ready"))
                .emit(Insn.mov64Reg(R2, R8), AluOp.SUB.reg(R2, R6))
                .emit(JumpOp.JLE.imm(R2, CHUNK, "chunk_sized"))
                .emit(Insn.mov64Imm(R2, CHUNK))
                .label("chunk_sized")
                .emit(AluOp.LSH.imm(R2, 3))
                .emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, CHUNK_BUF))
                .emit(Insn.mov64Reg(R3, R6), AluOp.LSH.imm(R3, 3), AluOp.ADD.reg(R3, R9))
                .emit(Insn.mov64Reg(R4, R7), Insn.mov64Imm(R5, 0))
                .emit(Insn.call(Helper.COPY_FROM_USER_TASK))
                .label("chunk_ready")
                // G_PTR = chunk[r6 % CHUNK]
                .emit(Insn.mov64Reg(R1, R6), AluOp.AND.imm(R1, CHUNK - 1), AluOp.LSH.imm(R1, 3))
                .emit(Insn.mov64Reg(R2, RFP), AluOp.ADD.imm(R2, CHUNK_BUF), AluOp.ADD.reg(R2, R1))
                .emit(Insn.ldx(Size.DW, R3, R2, 0))
                .emit(Insn.stx(Size.DW, RFP, G_PTR, R3));
        // record = ringbuf_reserve(records, HEADER + g.size); record.index = r6; copy the g behind it.
        a.emit(Insn.loadMap(R1, RECORDS_MAP), Insn.mov64Imm(R2, recordBytes), Insn.mov64Imm(R3, 0))
                .emit(Insn.call(Helper.RINGBUF_RESERVE))
                .emit(JumpOp.JEQ.imm(R0, 0, "next"))
                .emit(Insn.stx(Size.W, R0, 0, R6))
                .emit(Insn.mov64Reg(R6, R0))
                .emit(Insn.mov64Reg(R1, R0), AluOp.ADD.imm(R1, HEADER_BYTES), Insn.mov64Imm(R2, gSize))
                .emit(Insn.ldx(Size.DW, R3, RFP, G_PTR))
                .emit(Insn.mov64Reg(R4, R7), Insn.mov64Imm(R5, 0))
                .emit(Insn.call(Helper.COPY_FROM_USER_TASK))
                .emit(Insn.stx(Size.W, R6, 4, R0))
                .emit(Insn.mov64Reg(R1, R6), Insn.mov64Imm(R2, 0))
                .emit(Insn.call(Helper.RINGBUF_SUBMIT))
                .emit(Insn.ja("next"))
                .label("done")
                .emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, ITER_STATE))
                .emit(Insn.callKfunc(kernel.iterNumDestroy()))
                .label("exit")
                .emit(Insn.mov64Imm(R0, 0), Insn.exit());
        return a.build();
    }

    /** {@code bpf_copy_from_user_task(fp+slot, size, address, task=r7, 0)}; on failure the program ends. */
    private static void copyFromTarget(Assembler a, int slot, int size, long address) {
        a.emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, slot), Insn.mov64Imm(R2, size))
                .emit(Insn.ldImm64(R3, address))
                .emit(Insn.mov64Reg(R4, R7), Insn.mov64Imm(R5, 0))
                .emit(Insn.call(Helper.COPY_FROM_USER_TASK))
                .emit(JumpOp.JNE.imm(R0, 0, "exit"));
    }

}
