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
import dev.loupe.probegen.ir.CapturePlan;

import java.util.ArrayList;
import java.util.List;

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
import static dev.loupe.probegen.GoroutineRecord.BP;
import static dev.loupe.probegen.GoroutineRecord.FLAGS;
import static dev.loupe.probegen.GoroutineRecord.G_ERROR;
import static dev.loupe.probegen.GoroutineRecord.HEADER_BYTES;
import static dev.loupe.probegen.GoroutineRecord.INDEX;
import static dev.loupe.probegen.GoroutineRecord.NPCS;
import static dev.loupe.probegen.GoroutineRecord.PC;
import static dev.loupe.probegen.GoroutineRecord.SP;
import static dev.loupe.probegen.GoroutineRecord.STACK_ERROR;
import static dev.loupe.probegen.GoroutineRecord.THREAD_ID;
import static dev.loupe.probegen.GoroutineRecord.WINDOW;

/**
 * The snapshot program of one process: a sleepable task iterator ({@code iter.s/task}) that, on the target's main
 * thread, walks {@code runtime.allgs} and emits a {@link GoroutineRecord} per live goroutine into a ring buffer.
 *
 * <p>Per goroutine it copies the {@code runtime.g} (one read), picks pc/sp/bp by the goroutine's state (for a
 * running one, the user registers its stopped thread saved, {@code bpf_task_pt_regs} of the thread
 * {@code g.m.procid} names;
 * {@code syscallpc/sp/bp} in a system call; {@code g.sched} otherwise), then follows the frame-pointer chain
 * through a window of its stack copied {@value #WALK_WINDOW} bytes at a time, so a typical stack costs one read
 * rather than one per frame. Records are built in one map value ({@link #SCRATCH_MAP}) and sent with
 * {@code bpf_ringbuf_output}, which takes a variable size. The decoder takes the g's fields with the binary's
 * {@link RuntimeLayout}, so the program only needs the offsets it acts on.
 *
 * @param program    the instructions
 * @param maps       the maps it references, for the agent to create
 * @param maxDepth   the most return addresses per goroutine
 * @param gSize      {@code sizeof(runtime.g)}: the g's bytes in each record
 */
public record SnapshotProgram(Program program, List<MapSpec> maps, int maxDepth, int gSize) {
    /** The ring buffer the records go to. */
    public static final String RECORDS_MAP = "records";
    /** One u64 the agent sets to 1 right before the pause; the warm-up run before that finds 0 and does nothing. */
    public static final String ARM_MAP = "arm";
    /** One value of counters ({@link GoroutineRecord#STATS_BYTES}), for the agent to read back after the run. */
    public static final String STATS_MAP = "stats";
    /** One value the program builds records in. */
    public static final String SCRATCH_MAP = "scratch";
    /** The most bytes captured per frame of a spec function. */
    public static final int CAPTURE_BYTES_PER_FRAME = CaptureEmitter.DATA_MAX;
    /** The default bound on return addresses per goroutine. */
    public static final int DEFAULT_MAX_DEPTH = 512;
    /** At most this many goroutines are walked; more in allglen shows in the stats. */
    public static final int MAX_GOROUTINES = 1 << 22;
    /** The frame-pointer chain is followed through stack windows of this many bytes. */
    static final int WALK_WINDOW = 4096;
    /** Bytes of stack sent from sp of running, preempted and system-calling goroutines, for the pcsp unwinding. */
    public static final int TOP_WINDOW = 8192;
    /**
     * The top of a thread's alternate signal stack searched for the signal frame: the frame sits below the FPU
     * state, which takes up to about 11 KiB (AVX-512 and AMX). It is read where the pcs, the top window and the
     * walk window go later, which together are at least this long.
     */
    static final int SIGNAL_WINDOW = TOP_WINDOW + WALK_WINDOW;
    /** allgs is read this many pointers at a time. */
    private static final int CHUNK = 32;


    private static final int G_RUNNABLE = 1;
    private static final int G_RUNNING = 2;
    private static final int G_SYSCALL = 3;
    private static final int G_DEAD = 6;
    private static final int G_PREEMPTED = 9;
    /** {@code _Gdeadextra} (Go 1.26+): a dead g kept on an extra M for cgo callbacks, not a goroutine. */
    private static final int G_DEAD_EXTRA = 11;
    private static final int G_IDLE = 0;
    private static final int G_SCAN = 0x1000;

    private static final int ITER_G = -8;
    private static final int ITER_F = -16;
    private static final int COUNT = -24;
    private static final int ALLGS_ARRAY = -32;
    static final int STATS = -40;
    private static final int TMP = -48;
    private static final int KEY = -56;

    /**
     * Generates the program for a binary with this layout, on a kernel with these facts, for process {@code tgid}.
     *
     * @param maxDepth        the most return addresses per goroutine; deeper stacks are marked truncated
     * @param ringBufferBytes the ring buffer's size: a power of two, a multiple of the page size
     * @throws IllegalArgumentException if the layout lacks what the program needs
     */
    public static SnapshotProgram generate(RuntimeLayout layout, KernelFacts kernel, int tgid, int maxDepth, int ringBufferBytes) {
        return generate(layout, kernel, tgid, maxDepth, ringBufferBytes, CapturePlan.NONE);
    }

    /**
     * The same, with a capture pass for the frames {@code capture} names: after each goroutine's record, one
     * {@link CaptureRecord} per captured frame.
     */
    public static SnapshotProgram generate(RuntimeLayout layout, KernelFacts kernel, int tgid, int maxDepth, int ringBufferBytes,
                                           CapturePlan capture) {
        if (maxDepth < 1 || maxDepth > 4096) {
            throw new IllegalArgumentException("the stack depth limit must be 1 to 4096, not " + maxDepth);
        }
        Layout l = new Layout(layout, maxDepth);
        Assembler a = new Assembler();
        CaptureEmitter captures = capture.isEmpty() ? null
                : new CaptureEmitter(a, kernel, capture, layout, l.pcs, l.bps, l.regs, maxDepth, STATS);
        new Emitter(a, l, kernel, tgid, captures).emit();
        List<MapSpec> maps = new ArrayList<>(List.of(
                new MapSpec(RECORDS_MAP, MapSpec.Kind.RINGBUF, 0, 0, ringBufferBytes),
                new MapSpec(ARM_MAP, MapSpec.Kind.ARRAY, 4, 8, 1),
                new MapSpec(STATS_MAP, MapSpec.Kind.ARRAY, 4, GoroutineRecord.STATS_BYTES, 1),
                new MapSpec(SCRATCH_MAP, MapSpec.Kind.ARRAY, 4, l.scratchBytes, 1)));
        if (captures != null) {
            maps.addAll(CaptureMaps.maps(capture));
        }
        return new SnapshotProgram(a.build(), List.copyOf(maps), maxDepth, l.gSize);
    }

    /** Where things are in the scratch value and in the g. */
    private static final class Layout {
        final int gSize;
        final int g = HEADER_BYTES;
        final int pcs;
        final int walk;
        final int chunk;
        final int windowLo;
        final int windowLen;
        /** Per return address, the saved bp of its frame record (the caller's frame pointer): not sent. */
        final int bps;
        /** A running goroutine's registers, by DWARF number ({@link KernelFacts#ptRegs}): not sent. */
        final int regs;
        /** Its thread's alternate signal stack, base and size: not sent. */
        final int altStack;
        final int scratchBytes;
        final int maxDepth;
        final long allgsArray;
        final long allgLen;
        final int stackLo;
        final int stackHi;
        final int status;
        final int schedPc;
        final int schedSp;
        final int schedBp;
        final int syscallPc;
        final int syscallSp;
        final int syscallBp;
        final int m;
        final int procid;

        Layout(RuntimeLayout rt, int maxDepth) {
            this.maxDepth = maxDepth;
            RuntimeLayout.G gl = rt.g();
            gSize = Math.toIntExact(gl.size());
            if (gSize % 8 != 0) {
                throw new IllegalArgumentException("sizeof(runtime.g) is " + gSize + ", not a multiple of 8");
            }
            pcs = g + gSize;
            walk = pcs + maxDepth * 8 + TOP_WINDOW;
            chunk = walk + WALK_WINDOW;
            windowLo = chunk + CHUNK * 8;
            windowLen = windowLo + 8;
            bps = windowLen + 8;
            regs = bps + maxDepth * 8;
            altStack = regs + KernelFacts.DWARF_REGISTERS.size() * 8;
            scratchBytes = altStack + 16;
            long allgs = rt.globals().allgs().orElseThrow(() ->
                    new IllegalArgumentException("the address of runtime.allgs is unknown for this binary"));
            allgsArray = allgs + rt.slice().array();
            // allglen is what the runtime's own readers use; allgs.len equals it while the world is stopped.
            allgLen = rt.globals().allglen().orElse(allgs + rt.slice().len());
            stackLo = field(gl.stackLo(), "g.stack.lo");
            stackHi = field(gl.stackHi(), "g.stack.hi");
            status = field(gl.atomicstatus(), "g.atomicstatus");
            schedPc = field(gl.schedPc(), "g.sched.pc");
            schedSp = field(gl.schedSp(), "g.sched.sp");
            schedBp = field(gl.schedBp(), "g.sched.bp");
            syscallPc = field(gl.syscallpc(), "g.syscallpc");
            syscallSp = field(gl.syscallsp(), "g.syscallsp");
            syscallBp = gl.syscallbp() == RuntimeLayout.ABSENT ? -1 : g + Math.toIntExact(gl.syscallbp());
            m = field(gl.m(), "g.m");
            procid = Math.toIntExact(rt.m().procid());
            if (rt.m().procid() == RuntimeLayout.ABSENT) {
                throw new IllegalArgumentException("the runtime layout has no m.procid");
            }
        }

        /** The field's offset in the scratch value (the g starts at {@link #g}). */
        private int field(long offset, String name) {
            if (offset == RuntimeLayout.ABSENT) {
                throw new IllegalArgumentException("the runtime layout has no " + name);
            }
            return g + Math.toIntExact(offset);
        }
    }

    /** Writes the instructions; r7 holds the task and r9 the scratch value throughout. */
    private record Emitter(Assembler a, Layout l, KernelFacts kernel, int tgid, CaptureEmitter captures) {
        void emit() {
            prologue();
            goroutineLoop();
        }

        private void prologue() {
            // Run once, on the process's main thread (pid == tgid).
            a.emit(Insn.ldx(Size.DW, R7, R1, kernel.ctxTask()))
                    .emit(JumpOp.JEQ.imm(R7, 0, "exit"))
                    .emit(Insn.ldx(Size.W, R1, R7, kernel.taskTgid()))
                    .emit(JumpOp.JNE.imm(R1, tgid, "exit"))
                    .emit(Insn.ldx(Size.W, R2, R7, kernel.taskPid()))
                    .emit(JumpOp.JNE.reg(R1, R2, "exit"));
            // The agent's warm-up run before the pause finds the arm value 0: do nothing then.
            a.emit(Insn.st(Size.W, RFP, KEY, 0));
            Calls.lookup(a, ARM_MAP, KEY, "exit");
            a.emit(Insn.ldx(Size.DW, R1, R0, 0))
                    .emit(JumpOp.JEQ.imm(R1, 0, "exit"));
            Calls.lookup(a, SCRATCH_MAP, KEY, "exit");
            a.emit(Insn.mov64Reg(R9, R0));
            Calls.lookup(a, STATS_MAP, KEY, "exit");
            a.emit(Insn.stx(Size.DW, RFP, STATS, R0));
            copyToStack(COUNT, l.allgLen);
            copyToStack(ALLGS_ARRAY, l.allgsArray);
            a.emit(Insn.ldx(Size.DW, R8, RFP, COUNT))
                    .emit(Insn.ldx(Size.DW, R1, RFP, STATS))
                    .emit(Insn.stx(Size.DW, R1, GoroutineRecord.STAT_ALLGLEN, R8))
                    .emit(JumpOp.JLE.imm(R8, MAX_GOROUTINES, "bounded"))
                    .emit(Insn.mov64Imm(R8, MAX_GOROUTINES))
                    .label("bounded")
                    .emit(Insn.stx(Size.DW, RFP, COUNT, R8));
        }

        private void goroutineLoop() {
            // for r6 in bpf_iter_num(0, count): an open-coded iterator, verified once whatever the count.
            Calls.iterNew(a, kernel, ITER_G, R8);
            a.label("next_g");
            Calls.iterNext(a, kernel, ITER_G, "done_g");
            a.emit(Insn.ldx(Size.W, R6, R0, 0));
            // At each CHUNK-th goroutine read the next min(CHUNK, count - r6) pointers of allgs (zeroed by the
            // helper if the read fails, which then shows as a failed read of a nil g).
            a.emit(Insn.mov64Reg(R1, R6), AluOp.AND.imm(R1, CHUNK - 1))
                    .emit(JumpOp.JNE.imm(R1, 0, "chunk_ready"))
                    .emit(Insn.ldx(Size.DW, R2, RFP, COUNT), AluOp.SUB.reg(R2, R6))
                    .emit(JumpOp.JLE.imm(R2, CHUNK, "chunk_sized"))
                    .emit(Insn.mov64Imm(R2, CHUNK))
                    .label("chunk_sized")
                    .emit(AluOp.LSH.imm(R2, 3))
                    .emit(Insn.mov64Reg(R1, R9), AluOp.ADD.imm(R1, l.chunk))
                    .emit(Insn.mov64Reg(R3, R6), AluOp.LSH.imm(R3, 3))
                    .emit(Insn.ldx(Size.DW, R4, RFP, ALLGS_ARRAY), AluOp.ADD.reg(R3, R4));
            Calls.copyFromTarget(a);
            a.label("chunk_ready")
                    .emit(Insn.mov64Reg(R1, R6), AluOp.AND.imm(R1, CHUNK - 1), AluOp.LSH.imm(R1, 3), AluOp.ADD.reg(R1, R9))
                    .emit(Insn.ldx(Size.DW, R8, R1, l.chunk));
            // The header, then the g.
            a.emit(Insn.stx(Size.W, R9, INDEX, R6));
            for (int off = FLAGS; off < HEADER_BYTES; off += 4) {
                a.emit(Insn.st(Size.W, R9, off, 0));
            }
            a.emit(Insn.mov64Reg(R1, R9), AluOp.ADD.imm(R1, l.g), Insn.mov64Imm(R2, l.gSize), Insn.mov64Reg(R3, R8));
            Calls.copyFromTarget(a);
            a.emit(Insn.stx(Size.W, R9, G_ERROR, R0))
                    .emit(JumpOp.JNE.imm(R0, 0, "emit"));
            a.emit(Insn.ldx(Size.W, R1, R9, l.status), AluOp.AND.imm(R1, ~G_SCAN))
                    .emit(JumpOp.JEQ.imm(R1, G_DEAD, "next_g"))
                    .emit(JumpOp.JEQ.imm(R1, G_DEAD_EXTRA, "next_g"))
                    .emit(JumpOp.JEQ.imm(R1, G_IDLE, "next_g"));
            source();
            frameWalk();
            topWindow();
            a.label("emit")
                    .emit(Insn.ldx(Size.H, R3, R9, NPCS))
                    .emit(JumpOp.JGT.imm(R3, l.maxDepth, "next_g"))
                    .emit(AluOp.LSH.imm(R3, 3))
                    .emit(Insn.ldx(Size.W, R2, R9, WINDOW))
                    .emit(JumpOp.JGT.imm(R2, TOP_WINDOW, "next_g"))
                    .emit(AluOp.ADD.reg(R3, R2), AluOp.ADD.imm(R3, l.pcs))
                    .emit(Insn.loadMap(R1, RECORDS_MAP), Insn.mov64Reg(R2, R9), Insn.mov64Imm(R4, Calls.RB_NO_WAKEUP))
                    .emit(Insn.call(Helper.RINGBUF_OUTPUT))
                    .emit(Insn.ldx(Size.DW, R1, RFP, STATS))
                    .emit(JumpOp.JNE.imm(R0, 0, "dropped"));
            Calls.increment(a, GoroutineRecord.STAT_EMITTED);
            if (captures != null) {
                captures.emit();
            }
            a.emit(Insn.ja("next_g")).label("dropped");
            Calls.increment(a, GoroutineRecord.STAT_DROPPED);
            a.emit(Insn.ja("next_g"))
                    .label("done_g");
            Calls.iterDestroy(a, kernel, ITER_G);
            a.label("exit").emit(Insn.mov64Imm(R0, 0), Insn.exit());
        }

        /** pc/sp/bp into the header, by the status in r1. */
        private void source() {
            a.emit(Insn.ldx(Size.DW, R2, R9, l.schedPc), Insn.ldx(Size.DW, R3, R9, l.schedSp), Insn.ldx(Size.DW, R4, R9, l.schedBp))
                    .emit(JumpOp.JNE.imm(R1, G_SYSCALL, "not_syscall"))
                    .emit(Insn.ldx(Size.DW, R2, R9, l.syscallPc), Insn.ldx(Size.DW, R3, R9, l.syscallSp));
            if (l.syscallBp >= 0) {
                a.emit(Insn.ldx(Size.DW, R4, R9, l.syscallBp));
            } else {
                // Before Go 1.23 the runtime did not save bp at a system call: the window from sp alone unwinds it.
                a.emit(Insn.mov64Imm(R4, 0));
            }
            a.emit(Insn.st(Size.H, R9, FLAGS, GoroutineRecord.SOURCE_SYSCALL))
                    .emit(Insn.ja("source_done"))
                    .label("not_syscall")
                    .emit(JumpOp.JNE.imm(R1, G_RUNNING, "source_done"));
            storeSource();
            // Running: the user registers its thread (m.procid) saved when it stopped, if its sp is on the
            // goroutine's own stack. r6 (the goroutine index, kept in the header) holds the referenced thread.
            a.emit(Insn.ldx(Size.DW, R3, R9, l.m))
                    .emit(JumpOp.JEQ.imm(R3, 0, "no_thread"))
                    .emit(AluOp.ADD.imm(R3, l.procid))
                    .emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, TMP), Insn.mov64Imm(R2, 8));
            Calls.copyFromTarget(a);
            a.emit(JumpOp.JNE.imm(R0, 0, "no_thread"))
                    .emit(Insn.ldx(Size.W, R1, RFP, TMP), Insn.stx(Size.W, R9, THREAD_ID, R1))
                    .emit(Insn.callKfunc(kernel.taskFromPid()))
                    .emit(JumpOp.JEQ.imm(R0, 0, "no_thread"))
                    .emit(Insn.mov64Reg(R6, R0))
                    // A thread of another process (the target's own pid namespace numbers them otherwise): none.
                    .emit(Insn.ldx(Size.W, R1, R0, kernel.taskTgid()))
                    .emit(JumpOp.JEQ.imm(R1, tgid, "own_thread"))
                    .emit(Insn.mov64Reg(R1, R6))
                    .emit(Insn.callKfunc(kernel.taskRelease()))
                    .emit(Insn.ja("no_thread"))
                    .label("own_thread")
                    .emit(Insn.mov64Reg(R1, R6))
                    .emit(Insn.call(Helper.TASK_PT_REGS));
            // All of them: the capture pass reads the innermost frame's variables that are in registers.
            for (int r = 0; r < kernel.ptRegs().size(); r++) {
                a.emit(Insn.ldx(Size.DW, R2, R0, kernel.ptRegs().get(r)), Insn.stx(Size.DW, R9, l.regs + r * 8, R2));
            }
            KernelFacts.SignalFrame frame = kernel.signalFrame();
            if (frame != null) {
                a.emit(Insn.ldx(Size.DW, R2, R6, frame.taskAltStackSp()), Insn.stx(Size.DW, R9, l.altStack, R2))
                        .emit(Insn.ldx(Size.DW, R2, R6, frame.taskAltStackSize()), Insn.stx(Size.DW, R9, l.altStack + 8, R2));
            }
            a.emit(Insn.mov64Reg(R1, R6))
                    .emit(Insn.callKfunc(kernel.taskRelease()))
                    .emit(Insn.ldx(Size.DW, R2, R9, l.regs + KernelFacts.DWARF_IP * 8), Insn.ldx(Size.DW, R3, R9, l.regs + KernelFacts.DWARF_SP * 8))
                    .emit(Insn.ldx(Size.DW, R4, R9, l.regs + KernelFacts.DWARF_BP * 8))
                    .emit(Insn.ldx(Size.DW, R5, R9, l.stackLo))
                    .emit(JumpOp.JLT.reg(R3, R5, "off_stack"))
                    .emit(Insn.ldx(Size.DW, R5, R9, l.stackHi))
                    .emit(JumpOp.JGE.reg(R3, R5, "off_stack"))
                    .emit(Insn.st(Size.H, R9, FLAGS, GoroutineRecord.SOURCE_THREAD))
                    .emit(Insn.ja("source_done"))
                    .label("no_thread")
                    .emit(Insn.st(Size.H, R9, FLAGS, GoroutineRecord.NO_THREAD))
                    .emit(Insn.ja("source_loaded"))
                    .label("off_stack");
            if (frame != null) {
                signalFrame(frame);
            }
            a.emit(Insn.st(Size.H, R9, FLAGS, GoroutineRecord.OFF_STACK))
                    .emit(Insn.ja("source_loaded"))
                    .label("source_done");
            storeSource();
            a.label("source_loaded");
        }

        /**
         * A thread stopped in a signal handler (r3 = its sp, on its alternate signal stack): the registers it was
         * interrupted with, from the signal frame, if they are on the goroutine's stack. The top of the alternate
         * stack is searched from the top down, so that of nested frames the outermost is found; a frame is where
         * its {@code uc_stack} holds the thread's alternate stack. Found: to {@code source_done} with r2-r4 = pc, sp,
         * bp; else falls through.
         */
        private void signalFrame(KernelFacts.SignalFrame frame) {
            int need = Math.max(frame.regsEnd(), Math.max(frame.altStackSp(), frame.altStackSize()) + 8);
            int sp = frame.regs().get(KernelFacts.DWARF_SP);
            a.emit(Insn.ldx(Size.DW, R1, R9, l.altStack))
                    .emit(JumpOp.JLT.reg(R3, R1, "not_signal"))
                    .emit(Insn.ldx(Size.DW, R2, R9, l.altStack + 8))
                    .emit(Insn.mov64Reg(R4, R1), AluOp.ADD.reg(R4, R2))
                    .emit(JumpOp.JGE.reg(R3, R4, "not_signal"))
                    .emit(JumpOp.JLE.imm(R2, SIGNAL_WINDOW, "signal_sized"))
                    .emit(Insn.mov64Imm(R2, SIGNAL_WINDOW))
                    .label("signal_sized")
                    .emit(AluOp.AND.imm(R2, ~7))
                    .emit(JumpOp.JLT.imm(R2, need, "not_signal"))
                    .emit(Insn.stx(Size.DW, RFP, TMP, R2))
                    .emit(Insn.mov64Reg(R3, R4), AluOp.SUB.reg(R3, R2))
                    .emit(Insn.mov64Reg(R1, R9), AluOp.ADD.imm(R1, l.pcs));
            Calls.copyFromTarget(a);
            a.emit(JumpOp.JNE.imm(R0, 0, "not_signal"))
                    .emit(Insn.ldx(Size.DW, R8, RFP, TMP), AluOp.SUB.imm(R8, need), AluOp.RSH.imm(R8, 3), AluOp.ADD.imm(R8, 1));
            Calls.iterNew(a, kernel, ITER_F, R8);
            a.label("signal_next");
            Calls.iterNext(a, kernel, ITER_F, "signal_none");
            // The candidate frame's offset in the window: n - need - 8i.
            a.emit(Insn.ldx(Size.W, R1, R0, 0), AluOp.LSH.imm(R1, 3))
                    .emit(Insn.ldx(Size.DW, R2, RFP, TMP), AluOp.SUB.imm(R2, need), AluOp.SUB.reg(R2, R1))
                    .emit(JumpOp.JGT.imm(R2, SIGNAL_WINDOW - need, "signal_none"))
                    .emit(Insn.mov64Reg(R5, R2), AluOp.ADD.reg(R2, R9))
                    .emit(Insn.ldx(Size.DW, R3, R2, l.pcs + frame.altStackSp()), Insn.ldx(Size.DW, R4, R9, l.altStack))
                    .emit(JumpOp.JNE.reg(R3, R4, "signal_next"))
                    .emit(Insn.ldx(Size.DW, R3, R2, l.pcs + frame.altStackSize()), Insn.ldx(Size.DW, R4, R9, l.altStack + 8))
                    .emit(JumpOp.JNE.reg(R3, R4, "signal_next"))
                    .emit(Insn.ldx(Size.DW, R3, R2, l.pcs + sp), Insn.ldx(Size.DW, R4, R9, l.stackLo))
                    .emit(JumpOp.JLT.reg(R3, R4, "signal_next"))
                    .emit(Insn.ldx(Size.DW, R4, R9, l.stackHi))
                    .emit(JumpOp.JGE.reg(R3, R4, "signal_next"))
                    .emit(Insn.stx(Size.DW, RFP, TMP, R5))
                    .emit(Insn.ja("signal_found"))
                    .label("signal_none");
            Calls.iterDestroy(a, kernel, ITER_F);
            a.emit(Insn.ja("not_signal")).label("signal_found");
            Calls.iterDestroy(a, kernel, ITER_F);
            a.emit(Insn.ldx(Size.DW, R2, RFP, TMP))
                    .emit(JumpOp.JGT.imm(R2, SIGNAL_WINDOW - need, "not_signal"))
                    .emit(AluOp.ADD.reg(R2, R9));
            for (int r = 0; r < frame.regs().size(); r++) {
                a.emit(Insn.ldx(Size.DW, R3, R2, l.pcs + frame.regs().get(r)), Insn.stx(Size.DW, R9, l.regs + r * 8, R3));
            }
            a.emit(Insn.ldx(Size.DW, R2, R9, l.regs + KernelFacts.DWARF_IP * 8), Insn.ldx(Size.DW, R3, R9, l.regs + KernelFacts.DWARF_SP * 8))
                    .emit(Insn.ldx(Size.DW, R4, R9, l.regs + KernelFacts.DWARF_BP * 8))
                    .emit(Insn.st(Size.H, R9, FLAGS, GoroutineRecord.SOURCE_THREAD | GoroutineRecord.SIGNAL_FRAME))
                    .emit(Insn.ja("source_done"))
                    .label("not_signal");
        }

        private void storeSource() {
            a.emit(Insn.stx(Size.DW, R9, PC, R2), Insn.stx(Size.DW, R9, SP, R3), Insn.stx(Size.DW, R9, BP, R4));
        }

        /**
         * Follows bp -> (saved bp, return address) while bp stays on the goroutine's stack and grows, reading the
         * stack into the walk window whenever the next frame record is outside it. r6 = bp, r8 = depth.
         */
        private void frameWalk() {
            a.emit(Insn.ldx(Size.DW, R6, R9, BP))
                    .emit(Insn.st(Size.DW, R9, l.windowLo, 0), Insn.st(Size.DW, R9, l.windowLen, 0))
                    .emit(Insn.mov64Imm(R8, l.maxDepth));
            Calls.iterNew(a, kernel, ITER_F, R8);
            a.label("next_f");
            Calls.iterNext(a, kernel, ITER_F, "walk_exhausted");
            a.emit(Insn.ldx(Size.W, R8, R0, 0))
                    .emit(JumpOp.JGE.imm(R8, l.maxDepth, "walk_done"));
            bpOnStack("walk_done");
            a.emit(Insn.mov64Reg(R1, R6), Insn.ldx(Size.DW, R2, R9, l.windowLo), AluOp.SUB.reg(R1, R2))
                    .emit(Insn.mov64Reg(R3, R1), AluOp.ADD.imm(R3, 16))
                    .emit(Insn.ldx(Size.DW, R2, R9, l.windowLen))
                    .emit(JumpOp.JLE.reg(R3, R2, "in_window"))
                    // Refill: the window starts at bp and ends at the stack's top or WALK_WINDOW later.
                    .emit(Insn.ldx(Size.DW, R2, R9, l.stackHi), AluOp.SUB.reg(R2, R6))
                    .emit(JumpOp.JLE.imm(R2, WALK_WINDOW, "walk_sized"))
                    .emit(Insn.mov64Imm(R2, WALK_WINDOW))
                    .label("walk_sized")
                    .emit(Insn.stx(Size.DW, R9, l.windowLo, R6), Insn.stx(Size.DW, R9, l.windowLen, R2))
                    .emit(Insn.mov64Reg(R1, R9), AluOp.ADD.imm(R1, l.walk), Insn.mov64Reg(R3, R6));
            Calls.copyFromTarget(a);
            a.emit(JumpOp.JEQ.imm(R0, 0, "refilled"))
                    .emit(Insn.stx(Size.W, R9, STACK_ERROR, R0));
            orFlags(GoroutineRecord.STACK_READ_FAILED);
            a.emit(Insn.ja("walk_done"))
                    .label("refilled")
                    .emit(Insn.mov64Imm(R1, 0))
                    .label("in_window")
                    .emit(JumpOp.JGT.imm(R1, WALK_WINDOW - 16, "walk_done"))
                    .emit(AluOp.ADD.reg(R1, R9))
                    .emit(Insn.ldx(Size.DW, R3, R1, l.walk), Insn.ldx(Size.DW, R4, R1, l.walk + 8))
                    .emit(JumpOp.JEQ.imm(R4, 0, "walk_done"))
                    .emit(Insn.mov64Reg(R5, R8), AluOp.LSH.imm(R5, 3), AluOp.ADD.reg(R5, R9))
                    .emit(Insn.stx(Size.DW, R5, l.pcs, R4), Insn.stx(Size.DW, R5, l.bps, R3))
                    .emit(AluOp.ADD.imm(R8, 1), Insn.stx(Size.H, R9, NPCS, R8))
                    // Frame records must move up the stack: anything else is a broken chain, not a loop.
                    .emit(JumpOp.JLE.reg(R3, R6, "walk_done"))
                    .emit(Insn.mov64Reg(R6, R3))
                    .emit(Insn.ja("next_f"))
                    .label("walk_exhausted");
            bpOnStack("walk_done");
            orFlags(GoroutineRecord.TRUNCATED);
            a.label("walk_done");
            Calls.iterDestroy(a, kernel, ITER_F);
        }

        /** Jumps to {@code out} unless lo <= r6 <= hi - 16 and r6 != 0. */
        private void bpOnStack(String out) {
            a.emit(JumpOp.JEQ.imm(R6, 0, out))
                    .emit(Insn.ldx(Size.DW, R1, R9, l.stackLo))
                    .emit(JumpOp.JLT.reg(R6, R1, out))
                    .emit(Insn.ldx(Size.DW, R1, R9, l.stackHi), AluOp.SUB.imm(R1, 16))
                    .emit(JumpOp.JGT.reg(R6, R1, out));
        }

        /**
         * For a goroutine not parked by the scheduler: the stack from sp, up to TOP_WINDOW, after the pcs. Also for
         * one preempted (runnable or {@code _Gpreempted}): stopped at a function's prologue (synchronous preemption)
         * or anywhere (asynchronous: {@code runtime.asyncPreempt}), where frame pointers skip a caller.
         */
        private void topWindow() {
            a.emit(Insn.ldx(Size.H, R1, R9, FLAGS), AluOp.AND.imm(R1, GoroutineRecord.SOURCE_MASK))
                    .emit(JumpOp.JNE.imm(R1, GoroutineRecord.SOURCE_SCHED, "top_wanted"))
                    .emit(Insn.ldx(Size.W, R1, R9, l.status), AluOp.AND.imm(R1, ~G_SCAN))
                    .emit(JumpOp.JEQ.imm(R1, G_RUNNABLE, "top_wanted"))
                    .emit(JumpOp.JNE.imm(R1, G_PREEMPTED, "emit"))
                    .label("top_wanted")
                    .emit(Insn.ldx(Size.DW, R3, R9, SP))
                    .emit(Insn.ldx(Size.DW, R1, R9, l.stackLo))
                    .emit(JumpOp.JLT.reg(R3, R1, "emit"))
                    .emit(Insn.ldx(Size.DW, R2, R9, l.stackHi))
                    .emit(JumpOp.JGE.reg(R3, R2, "emit"))
                    .emit(AluOp.SUB.reg(R2, R3))
                    .emit(JumpOp.JLE.imm(R2, TOP_WINDOW, "top_sized"))
                    .emit(Insn.mov64Imm(R2, TOP_WINDOW))
                    .label("top_sized")
                    .emit(Insn.mov64Reg(R6, R2))
                    .emit(Insn.ldx(Size.H, R1, R9, NPCS))
                    .emit(JumpOp.JGT.imm(R1, l.maxDepth, "emit"))
                    .emit(AluOp.LSH.imm(R1, 3), AluOp.ADD.reg(R1, R9), AluOp.ADD.imm(R1, l.pcs));
            Calls.copyFromTarget(a);
            a.emit(JumpOp.JNE.imm(R0, 0, "top_failed"))
                    .emit(Insn.stx(Size.W, R9, WINDOW, R6))
                    .emit(Insn.ja("emit"))
                    .label("top_failed")
                    .emit(Insn.stx(Size.W, R9, STACK_ERROR, R0));
            orFlags(GoroutineRecord.STACK_READ_FAILED);
        }

        private void orFlags(int bits) {
            a.emit(Insn.ldx(Size.H, R1, R9, FLAGS), AluOp.OR.imm(R1, bits), Insn.stx(Size.H, R9, FLAGS, R1));
        }

        /** {@code bpf_copy_from_user_task(fp+slot, 8, address, task, 0)}; on failure the program ends. */
        private void copyToStack(int slot, long address) {
            a.emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, slot), Insn.mov64Imm(R2, 8), Insn.ldImm64(R3, address));
            Calls.copyFromTarget(a);
            a.emit(JumpOp.JNE.imm(R0, 0, "exit"));
        }

    }
}
