package dev.loupe.probegen;

import dev.loupe.bpf.asm.AluOp;
import dev.loupe.bpf.asm.Assembler;
import dev.loupe.bpf.asm.Helper;
import dev.loupe.bpf.asm.Insn;
import dev.loupe.bpf.asm.JumpOp;
import dev.loupe.bpf.asm.Register;
import dev.loupe.bpf.asm.Size;
import dev.loupe.bpf.btf.KernelFacts;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.probegen.ir.CapturePlan;
import dev.loupe.probegen.ir.ReadType;

import static dev.loupe.bpf.asm.Register.R0;
import static dev.loupe.bpf.asm.Register.R1;
import static dev.loupe.bpf.asm.Register.R2;
import static dev.loupe.bpf.asm.Register.R3;
import static dev.loupe.bpf.asm.Register.R4;
import static dev.loupe.bpf.asm.Register.R5;
import static dev.loupe.bpf.asm.Register.R6;
import static dev.loupe.bpf.asm.Register.R8;
import static dev.loupe.bpf.asm.Register.R9;
import static dev.loupe.bpf.asm.Register.RFP;

/**
 * The capture pass of the snapshot program, run per goroutine after its record is sent: for each return address
 * of the goroutine, a binary search of the plan's pc ranges; for a frame of a spec function, its roots are read
 * relative to the frame's CFA (the saved bp found at its frame record, plus 16), then the pointers in what was
 * read are followed breadth first, each (address, type) once per snapshot, until the pointer depth, the queue
 * or the frame's byte budget ends it. Every loop is a {@code bpf_iter_num} loop, which the verifier checks once,
 * so the code is the same whatever the spec: its size is in maps ({@link #RANGES_MAP}, {@link #PLANS_MAP},
 * {@link #TYPES_MAP}), whose contents {@link CaptureMaps} encodes.
 *
 * <p>Registers: r7 the task and r9 the goroutine's scratch throughout (as in {@link SnapshotProgram}); r6 the
 * capture scratch within the pass.
 */
final class CaptureEmitter {
    static final String RANGES_MAP = "cap_ranges";
    static final String INNERMOST_MAP = "cap_innermost";
    static final String PLANS_MAP = "cap_plans";
    static final String TYPES_MAP = "cap_types";
    static final String SEEN_MAP = "cap_seen";
    static final String SCRATCH_MAP = "cap_scratch";
    static final String DYNAMIC_TYPES_MAP = "cap_dyntypes";
    /** Dynamic types of interfaces the pass can follow: a power of two. */
    static final int MAX_DYNAMIC_TYPES = CapturePlan.MAX_DYNAMIC_TYPES;
    static final int DYNAMIC_TYPES_BYTES = MAX_DYNAMIC_TYPES * 16;

    /** Chunk data per frame: a power of two, for masking offsets the verifier must see bounded. */
    static final int DATA_MAX = 16384;
    /** The most bytes of one chunk. */
    static final int CHUNK_MAX = CaptureRecord.MAX_CHUNK_BYTES;
    /** Queue entries per frame: a power of two. */
    static final int QUEUE_LEN = 256;
    private static final int QUEUE_ENTRY = 16;
    /** Elements of one chunk scanned for pointers. */
    static final int MAX_ELEMS = 64;
    static final int MAX_ROOTS = 64;
    static final int ROOT_READ = 0;
    static final int ROOT_ASSEMBLE = 1;
    static final int ROOT_PIECE = 2;
    static final int ROOT_REGISTER_PIECE = 3;
    /** The most bytes of one piece of a value. */
    static final int MAX_PIECE = 64;
    /** A queue entry's length with this bit is a chunk already in the record, at the data offset its address says. */
    private static final int PRE_READ = 0x4000_0000;
    static final int PLAN_BYTES = 8 + MAX_ROOTS * 16;
    static final int TYPE_BYTES = 8 + ReadType.MAX_SLOTS * 16;
    static final int RANGE_BYTES = 24;
    static final int SEEN_ENTRIES = 1 << 16;
    private static final int DATA = CaptureRecord.HEADER_BYTES;
    private static final int QUEUE = DATA + DATA_MAX + CHUNK_MAX + 16;
    private static final int LOCALS = QUEUE + QUEUE_LEN * QUEUE_ENTRY;
    static final int SCRATCH_BYTES = LOCALS + 24 * 8;
    /** Bytes of an itab read to find its type word. */
    private static final int ITAB_HEAD = 16;

    private static final int BPF_NOEXIST = 1;
    /** {@code abi.KindMask}, and {@code abi.Pointer}: the kind of a pointer type, in every Go version. */
    private static final int KIND_MASK = 0x1f;
    private static final int KIND_POINTER = 22;
    /** 2^B buckets: B beyond this reads as many bytes as the limit allows anyway. */
    private static final int MAX_BUCKET_SHIFT = 24;
    /** {@code sameSizeGrow} in {@code hmap.flags}. */
    private static final int SAME_SIZE_GROW = 8;

    // Stack slots below those of SnapshotProgram.
    private static final int ITER_FRAMES = -88;
    private static final int ITER_QUEUE = -96;
    private static final int ITER_ELEMS = -104;
    private static final int ITER_SLOTS = -112;
    private static final int ITER_ROOTS = -120;
    private static final int TYPE_PTR = -144;
    // The pass's counters and temporaries live in the scratch value, not on the stack: the verifier tracks stack
    // slots exactly, so counters there made every loop iteration a new state to explore (and the program too complex).
    private static final int FRAME = LOCALS + 0;
    private static final int TAIL = LOCALS + 8;
    private static final int USED = LOCALS + 16;
    private static final int ELEM = LOCALS + 24;
    private static final int LEN = LOCALS + 32;
    private static final int DEPTH = LOCALS + 40;
    private static final int CHUNK = LOCALS + 48;
    private static final int ADDR = LOCALS + 56;
    private static final int TYPE_ID = LOCALS + 64;
    private static final int PUSH_ADDR = LOCALS + 72;
    private static final int PUSH_LEN = LOCALS + 80;
    private static final int PUSH_TYPE = LOCALS + 88;
    private static final int PUSH_DEPTH = LOCALS + 96;
    private static final int SLOT_P2 = LOCALS + 104;
    private static final int CHUNKS = LOCALS + 112;
    private static final int ASM_AT = LOCALS + 120;
    private static final int DYNAMIC_ID = LOCALS + 128;
    private static final int SEEN_KEY = -192;
    private static final int SEEN_VALUE = -200;
    private static final int TMP = -256;
    /** The head of a runtime type ({@code abi.Type}), up to its kind, read for an interface's dynamic type. */
    private static final int TYPE_HEAD = -320;
    private static final int DYNAMIC_PTR = -328;
    private static final int RANGES_PTR = -272;
    private static final int INNERMOST_PTR = -336;

    private final Assembler a;
    private final KernelFacts kernel;
    private final CapturePlan plan;
    private final int rangeSlots;
    private final int innermostSlots;
    private final int pcsAt;
    private final int bpsAt;
    private final int regsAt;
    private final int maxDepth;
    private final int typeSizeOffset;
    private final int itabTypeOffset;
    private final int typeKindOffset;
    private final int typeHeadBytes;
    private final int ptrTypeElemOffset;
    private final int statsSlot;
    private int labels;

    /**
     * @param pcsAt  where the goroutine scratch holds the return addresses
     * @param bpsAt  where it holds, per return address, the saved bp found beside it
     * @param regsAt where it holds a running goroutine's registers, by DWARF number
     * @param stats  the stack slot holding the stats value pointer
     */
    CaptureEmitter(Assembler a, KernelFacts kernel, CapturePlan plan, RuntimeLayout layout, int pcsAt, int bpsAt, int regsAt,
                   int maxDepth, int stats) {
        this.a = a;
        this.kernel = kernel;
        this.plan = plan;
        this.rangeSlots = CaptureMaps.rangeSlots(plan.ranges().size());
        this.innermostSlots = CaptureMaps.rangeSlots(plan.innermost().size());
        this.pcsAt = pcsAt;
        this.bpsAt = bpsAt;
        this.regsAt = regsAt;
        this.maxDepth = maxDepth;
        this.typeSizeOffset = Math.toIntExact(layout.type().sizeField());
        this.itabTypeOffset = Math.toIntExact(layout.itab().type());
        this.typeKindOffset = Math.toIntExact(layout.type().kind());
        this.typeHeadBytes = (Math.max(typeSizeOffset + 8, typeKindOffset + 1) + 7) & ~7;
        // abi.PtrType is the Type, then Elem.
        this.ptrTypeElemOffset = Math.toIntExact(layout.type().size());
        if (typeHeadBytes > 64) {
            throw new IllegalArgumentException("the runtime type's size and kind are " + typeHeadBytes + " bytes into it");
        }
        this.statsSlot = stats;
        if (plan.frameBytes() > DATA_MAX) {
            throw new IllegalArgumentException("at most " + DATA_MAX + " bytes per frame, not " + plan.frameBytes());
        }
    }

    private String label(String base) {
        return "cap_" + base + "_" + labels++;
    }

    /** The pass for the goroutine in r9, whose record has been sent; falls through at its end. */
    void emit() {
        String done = label("done");
        a.emit(Insn.st(Size.W, RFP, SEEN_KEY, 0));
        Calls.lookup(a, SCRATCH_MAP, SEEN_KEY, done);
        a.emit(Insn.mov64Reg(R6, R0));
        Calls.lookup(a, RANGES_MAP, SEEN_KEY, done);
        a.emit(Insn.stx(Size.DW, RFP, RANGES_PTR, R0));
        Calls.lookup(a, INNERMOST_MAP, SEEN_KEY, done);
        a.emit(Insn.stx(Size.DW, RFP, INNERMOST_PTR, R0));
        Calls.lookup(a, DYNAMIC_TYPES_MAP, SEEN_KEY, done);
        a.emit(Insn.stx(Size.DW, RFP, DYNAMIC_PTR, R0));
        // Iteration 0 is the innermost frame of a running goroutine, iteration i the frame of return address i - 1.
        a.emit(Insn.ldx(Size.H, R8, R9, GoroutineRecord.NPCS), AluOp.ADD.imm(R8, 1));
        Calls.iterNew(a, kernel, ITER_FRAMES, R8);
        String nextFrame = label("next_frame");
        String framesDone = label("frames_done");
        String caller = label("caller");
        String found = label("found");
        a.label(nextFrame);
        Calls.iterNext(a, kernel, ITER_FRAMES, framesDone);
        a.emit(Insn.ldx(Size.W, R1, R0, 0))
                .emit(JumpOp.JNE.imm(R1, 0, caller))
                // Only for a goroutine whose registers are those its thread stopped with.
                .emit(Insn.ldx(Size.H, R1, R9, GoroutineRecord.FLAGS), AluOp.AND.imm(R1, GoroutineRecord.SOURCE_MASK))
                .emit(JumpOp.JNE.imm(R1, GoroutineRecord.SOURCE_THREAD, nextFrame))
                .emit(Insn.ldx(Size.DW, R2, R9, GoroutineRecord.PC));
        classify(nextFrame, INNERMOST_PTR, innermostSlots);
        // r3 = the plan index, r4 its range; the CFA is sp plus the range's stack delta and return address.
        a.emit(Insn.ldx(Size.W, R1, R4, 20), Insn.ldx(Size.DW, R2, R9, GoroutineRecord.SP), AluOp.ADD.reg(R1, R2))
                .emit(Insn.stx(Size.DW, R6, CaptureRecord.CFA, R1))
                .emit(Insn.st(Size.H, R6, CaptureRecord.FRAME, CaptureRecord.INNERMOST_FRAME))
                .emit(Insn.ja(found))
                .label(caller)
                .emit(AluOp.SUB.imm(R1, 1))
                .emit(JumpOp.JGE.imm(R1, maxDepth, framesDone))
                .emit(Insn.stx(Size.DW, R6, FRAME, R1))
                .emit(AluOp.LSH.imm(R1, 3), AluOp.ADD.reg(R1, R9))
                .emit(Insn.ldx(Size.DW, R2, R1, pcsAt));
        classify(nextFrame, RANGES_PTR, rangeSlots);
        // r3 = the plan index; the CFA is the saved bp beside the frame's return address, plus 16.
        a.emit(Insn.ldx(Size.DW, R1, R6, FRAME))
                .emit(JumpOp.JGE.imm(R1, maxDepth, nextFrame))
                .emit(AluOp.LSH.imm(R1, 3), AluOp.ADD.reg(R1, R9))
                .emit(Insn.ldx(Size.DW, R4, R1, bpsAt))
                .emit(JumpOp.JEQ.imm(R4, 0, nextFrame))
                .emit(AluOp.ADD.imm(R4, 16))
                .emit(Insn.stx(Size.DW, R6, CaptureRecord.CFA, R4))
                .emit(Insn.ldx(Size.DW, R1, R6, FRAME), Insn.stx(Size.H, R6, CaptureRecord.FRAME, R1))
                .label(found)
                .emit(Insn.stx(Size.W, R6, CaptureRecord.PLAN, R3))
                .emit(Insn.ldx(Size.W, R1, R9, GoroutineRecord.INDEX), Insn.stx(Size.W, R6, CaptureRecord.INDEX, R1))
                .emit(Insn.st(Size.H, R6, CaptureRecord.FLAGS, CaptureRecord.CAPTURE))
                .emit(Insn.st(Size.DW, R6, TAIL, 0), Insn.st(Size.DW, R6, USED, 0), Insn.st(Size.DW, R6, CHUNKS, 0));
        // The snapshot's budget: past it, frames are sent without their values (and say so).
        String send = label("send");
        String within = label("within_budget");
        a.emit(Insn.ldx(Size.DW, R1, RFP, statsSlot), Insn.ldx(Size.DW, R2, R1, GoroutineRecord.STAT_CAPTURE_BYTES))
                .emit(JumpOp.JLT.imm(R2, (int) Math.min(Integer.MAX_VALUE, plan.snapshotBytes()), within))
                .emit(Insn.ldx(Size.H, R1, R6, CaptureRecord.FLAGS), AluOp.OR.imm(R1, CaptureRecord.OVER_BUDGET))
                .emit(Insn.stx(Size.H, R6, CaptureRecord.FLAGS, R1))
                .emit(Insn.ja(send))
                .label(within);
        roots(nextFrame);
        bfs();
        // Send: header + chunks.
        a.label(send)
                .emit(Insn.ldx(Size.DW, R1, RFP, statsSlot), Insn.ldx(Size.DW, R2, R1, GoroutineRecord.STAT_CAPTURE_BYTES))
                .emit(Insn.ldx(Size.DW, R3, R6, USED), AluOp.ADD.reg(R2, R3), Insn.stx(Size.DW, R1, GoroutineRecord.STAT_CAPTURE_BYTES, R2));
        a.emit(Insn.ldx(Size.DW, R3, R6, USED))
                .emit(AluOp.AND.imm(R3, DATA_MAX - 1))
                .emit(Insn.stx(Size.W, R6, CaptureRecord.DATA_BYTES, R3))
                .emit(Insn.ldx(Size.DW, R1, R6, CHUNKS), Insn.stx(Size.W, R6, CaptureRecord.CHUNKS, R1))
                .emit(Insn.st(Size.W, R6, CaptureRecord.CHUNKS + 4, 0))
                .emit(AluOp.ADD.imm(R3, DATA))
                .emit(Insn.loadMap(R1, SnapshotProgram.RECORDS_MAP), Insn.mov64Reg(R2, R6), Insn.mov64Imm(R4, Calls.RB_NO_WAKEUP))
                .emit(Insn.call(Helper.RINGBUF_OUTPUT))
                .emit(Insn.ldx(Size.DW, R1, RFP, statsSlot));
        String sent = label("sent");
        a.emit(JumpOp.JEQ.imm(R0, 0, sent));
        Calls.increment(a, GoroutineRecord.STAT_CAPTURES_DROPPED);
        a.emit(Insn.ja(nextFrame)).label(sent);
        Calls.increment(a, GoroutineRecord.STAT_CAPTURES);
        a.emit(Insn.ja(nextFrame));
        a.label(framesDone);
        Calls.iterDestroy(a, kernel, ITER_FRAMES);
        a.label(done);
    }

    /**
     * r2 = pc: the largest range whose low is at most pc, by a binary search over the ranges (padded to a power of
     * two with ranges that match nothing); to {@code miss} unless pc is in it, else r3 = its plan. The search is
     * unrolled and branch-free (index += step * (low <= pc), which for addresses below 2^63 is
     * {@code 1 - ((pc - low) >>> 63)}): a branch per step made 2^steps paths for the verifier to walk. The table
     * is the one whose pointer is in stack slot {@code table}, of {@code slots} ranges; r4 = the range found.
     */
    private void classify(String miss, int table, int slots) {
        a.emit(Insn.ldx(Size.DW, R5, RFP, table));
        search(slots, RANGE_BYTES);
        a.emit(Insn.ldx(Size.DW, R3, R4, 0))
                .emit(JumpOp.JGT.reg(R3, R2, miss))
                .emit(Insn.ldx(Size.DW, R3, R4, 8))
                .emit(JumpOp.JGE.reg(R2, R3, miss))
                .emit(Insn.ldx(Size.W, R3, R4, 16));
    }

    /**
     * r4 = the entry of the table at r5 ({@code slots}, a power of two, of {@code entryBytes} each, sorted by the u64
     * key they start with, padded with keys of 2^63-1) with the largest key at most r2. Clobbers r1 and r3.
     */
    private void search(int slots, int entryBytes) {
        a.emit(Insn.mov64Imm(R4, 0));
        for (int step = slots / 2; step >= 1; step /= 2) {
            a.emit(Insn.mov64Reg(R1, R4), AluOp.ADD.imm(R1, step), AluOp.AND.imm(R1, slots - 1))
                    .emit(AluOp.MUL.imm(R1, entryBytes), AluOp.ADD.reg(R1, R5))
                    .emit(Insn.ldx(Size.DW, R3, R1, 0))
                    .emit(Insn.mov64Reg(R1, R2), AluOp.SUB.reg(R1, R3), AluOp.RSH.imm(R1, 63))
                    .emit(Insn.mov64Imm(R3, 1), AluOp.SUB.reg(R3, R1), AluOp.MUL.imm(R3, step), AluOp.ADD.reg(R4, R3));
        }
        a.emit(AluOp.AND.imm(R4, slots - 1), AluOp.MUL.imm(R4, entryBytes), AluOp.ADD.reg(R4, R5));
    }

    /**
     * Queues the plan's roots. A root entry is {i64 field, u32 size, u32 kind << 16 | type}: kind {@link #ROOT_READ}
     * reads {@code size} bytes at CFA + field; {@link #ROOT_ASSEMBLE} starts a chunk of {@code size} bytes for a value
     * whose pieces are in separate stack slots, at the made-up address CFA | field (unique per frame and capture),
     * and queues it as read; each {@link #ROOT_PIECE} after it copies {@code size} bytes from CFA + field to offset
     * {@code type} of that chunk, each {@link #ROOT_REGISTER_PIECE} the register saved at field (its DWARF number
     * times 8) there: all 8 bytes of it, which the pieces after it, at higher offsets, overwrite where they lie.
     */
    private void roots(String miss) {
        String done = label("roots_done");
        String next = label("next_root");
        String assemble = label("assemble");
        String piece = label("piece");
        String registerPiece = label("register_piece");
        a.emit(Insn.ldx(Size.W, R1, R6, CaptureRecord.PLAN), Insn.stx(Size.W, RFP, SEEN_KEY, R1));
        Calls.lookup(a, PLANS_MAP, SEEN_KEY, miss);
        a.emit(Insn.stx(Size.DW, RFP, TYPE_PTR, R0))
                .emit(Insn.st(Size.DW, R6, ASM_AT, DATA_MAX))
                .emit(Insn.ldx(Size.W, R8, R0, 0));
        min(R8, MAX_ROOTS);
        Calls.iterNew(a, kernel, ITER_ROOTS, R8);
        a.label(next);
        Calls.iterNext(a, kernel, ITER_ROOTS, done);
        a.emit(Insn.ldx(Size.W, R1, R0, 0))
                .emit(JumpOp.JGE.imm(R1, MAX_ROOTS, done))
                .emit(AluOp.LSH.imm(R1, 4))
                .emit(Insn.ldx(Size.DW, R2, RFP, TYPE_PTR), AluOp.ADD.reg(R1, R2))
                .emit(Insn.ldx(Size.DW, R2, R1, 8))
                .emit(Insn.ldx(Size.W, R3, R1, 16))
                .emit(Insn.ldx(Size.W, R4, R1, 20), Insn.mov64Reg(R5, R4), AluOp.RSH.imm(R5, 16), AluOp.AND.imm(R4, 0xffff))
                .emit(Insn.stx(Size.DW, R6, PUSH_LEN, R3), Insn.stx(Size.DW, R6, PUSH_TYPE, R4))
                .emit(Insn.st(Size.DW, R6, PUSH_DEPTH, 0))
                .emit(JumpOp.JEQ.imm(R5, ROOT_ASSEMBLE, assemble))
                .emit(JumpOp.JEQ.imm(R5, ROOT_PIECE, piece))
                .emit(JumpOp.JEQ.imm(R5, ROOT_REGISTER_PIECE, registerPiece))
                .emit(Insn.ldx(Size.DW, R3, R6, CaptureRecord.CFA), AluOp.ADD.reg(R2, R3))
                .emit(Insn.stx(Size.DW, R6, PUSH_ADDR, R2));
        push(next);
        // A value in pieces: its chunk, made here and queued as already read.
        String fits = label("assembly_fits");
        a.label(assemble)
                .emit(Insn.ldx(Size.DW, R3, R6, CaptureRecord.CFA), AluOp.OR.reg(R2, R3))
                .emit(Insn.ldx(Size.DW, R3, R6, PUSH_LEN))
                .emit(JumpOp.JGT.imm(R3, CHUNK_MAX, next))
                .emit(Insn.ldx(Size.DW, R1, R6, USED))
                .emit(Insn.mov64Reg(R5, R1), AluOp.ADD.reg(R5, R3), AluOp.ADD.imm(R5, CaptureRecord.CHUNK_HEADER_BYTES))
                .emit(JumpOp.JLE.imm(R5, plan.frameBytes(), fits));
        truncated();
        a.emit(Insn.ja(next))
                .label(fits)
                .emit(AluOp.AND.imm(R1, DATA_MAX - 1), Insn.mov64Reg(R5, R1), AluOp.ADD.reg(R5, R6))
                .emit(Insn.stx(Size.DW, R5, DATA, R2), Insn.stx(Size.W, R5, DATA + 8, R4), Insn.stx(Size.W, R5, DATA + 12, R3))
                .emit(AluOp.ADD.imm(R1, CaptureRecord.CHUNK_HEADER_BYTES), Insn.stx(Size.DW, R6, ASM_AT, R1))
                .emit(Insn.stx(Size.DW, R6, PUSH_ADDR, R1))
                .emit(AluOp.ADD.imm(R3, 7), AluOp.AND.imm(R3, ~7), AluOp.ADD.reg(R1, R3), Insn.stx(Size.DW, R6, USED, R1))
                .emit(Insn.ldx(Size.DW, R1, R6, CHUNKS), AluOp.ADD.imm(R1, 1), Insn.stx(Size.DW, R6, CHUNKS, R1))
                .emit(Insn.ldx(Size.DW, R1, R6, PUSH_LEN), AluOp.OR.imm(R1, PRE_READ), Insn.stx(Size.DW, R6, PUSH_LEN, R1));
        push(next);
        // One piece of it.
        a.label(piece)
                .emit(Insn.ldx(Size.DW, R1, R6, ASM_AT))
                .emit(JumpOp.JGE.imm(R1, DATA_MAX, next))
                .emit(JumpOp.JGT.imm(R3, MAX_PIECE, next))
                .emit(AluOp.ADD.reg(R1, R4), AluOp.AND.imm(R1, DATA_MAX - 1), AluOp.ADD.reg(R1, R6), AluOp.ADD.imm(R1, DATA))
                .emit(Insn.ldx(Size.DW, R4, R6, CaptureRecord.CFA), AluOp.ADD.reg(R2, R4))
                .emit(Insn.mov64Reg(R4, R2), Insn.mov64Reg(R2, R3), Insn.mov64Reg(R3, R4));
        Calls.copyFromTarget(a);
        a.emit(Insn.ja(next));
        // One piece in a register.
        a.label(registerPiece)
                .emit(Insn.ldx(Size.DW, R1, R6, ASM_AT))
                .emit(JumpOp.JGE.imm(R1, DATA_MAX, next))
                .emit(JumpOp.JGT.imm(R2, (KernelFacts.DWARF_REGISTERS.size() - 1) * 8, next))
                .emit(AluOp.ADD.reg(R1, R4), AluOp.AND.imm(R1, DATA_MAX - 1), AluOp.ADD.reg(R1, R6))
                .emit(AluOp.ADD.reg(R2, R9), Insn.ldx(Size.DW, R3, R2, regsAt))
                .emit(Insn.stx(Size.DW, R1, DATA, R3))
                .emit(Insn.ja(next));
        a.label(done);
        Calls.iterDestroy(a, kernel, ITER_ROOTS);
    }

    /** Queue entry {u64 address, u32 length, u16 type, u16 depth} from the PUSH_* slots; then jumps to {@code after}. */
    private void push(String after) {
        String full = label("queue_full");
        a.emit(Insn.ldx(Size.DW, R2, R6, PUSH_DEPTH))
                .emit(JumpOp.JGT.imm(R2, plan.pointerDepth(), after))
                .emit(Insn.ldx(Size.DW, R1, R6, TAIL))
                .emit(JumpOp.JGE.imm(R1, QUEUE_LEN, full))
                .emit(AluOp.LSH.imm(R1, 4), AluOp.ADD.reg(R1, R6))
                .emit(Insn.stx(Size.H, R1, QUEUE + 14, R2))
                .emit(Insn.ldx(Size.DW, R2, R6, PUSH_ADDR), Insn.stx(Size.DW, R1, QUEUE, R2))
                .emit(Insn.ldx(Size.DW, R2, R6, PUSH_LEN), Insn.stx(Size.W, R1, QUEUE + 8, R2))
                .emit(Insn.ldx(Size.DW, R2, R6, PUSH_TYPE), Insn.stx(Size.H, R1, QUEUE + 12, R2))
                .emit(Insn.ldx(Size.DW, R1, R6, TAIL), AluOp.ADD.imm(R1, 1), Insn.stx(Size.DW, R6, TAIL, R1))
                .emit(Insn.ja(after))
                .label(full);
        truncated();
        a.emit(Insn.ja(after));
    }

    /** Marks the record truncated (r1 clobbered). */
    private void truncated() {
        a.emit(Insn.ldx(Size.H, R1, R6, CaptureRecord.FLAGS), AluOp.OR.imm(R1, CaptureRecord.TRUNCATED))
                .emit(Insn.stx(Size.H, R6, CaptureRecord.FLAGS, R1));
    }

    /** Takes queue entries in order, reads each once, and queues what its pointers lead to. */
    private void bfs() {
        String next = label("next_entry");
        String done = label("entries_done");
        a.emit(Insn.mov64Imm(R8, QUEUE_LEN));
        Calls.iterNew(a, kernel, ITER_QUEUE, R8);
        a.label(next);
        Calls.iterNext(a, kernel, ITER_QUEUE, done);
        a.emit(Insn.ldx(Size.W, R1, R0, 0))
                .emit(Insn.ldx(Size.DW, R2, R6, TAIL))
                .emit(JumpOp.JGE.reg(R1, R2, done))
                .emit(JumpOp.JGE.imm(R1, QUEUE_LEN, done))
                .emit(AluOp.LSH.imm(R1, 4), AluOp.ADD.reg(R1, R6))
                .emit(Insn.ldx(Size.DW, R2, R1, QUEUE), Insn.stx(Size.DW, R6, ADDR, R2))
                .emit(Insn.ldx(Size.W, R3, R1, QUEUE + 8))
                .emit(Insn.ldx(Size.H, R4, R1, QUEUE + 12), Insn.stx(Size.DW, R6, TYPE_ID, R4))
                .emit(Insn.ldx(Size.H, R5, R1, QUEUE + 14), Insn.stx(Size.DW, R6, DEPTH, R5))
                .emit(JumpOp.JEQ.imm(R3, 0, next));
        String scanIt = label("scan");
        String notPre = label("not_pre_read");
        a.emit(Insn.mov64Reg(R1, R3), AluOp.AND.imm(R1, PRE_READ))
                .emit(JumpOp.JEQ.imm(R1, 0, notPre))
                .emit(AluOp.AND.imm(R3, ~PRE_READ), Insn.stx(Size.DW, R6, LEN, R3), Insn.stx(Size.DW, R6, CHUNK, R2))
                .emit(Insn.ja(scanIt))
                .label(notPre);
        String sized = label("sized");
        a.emit(JumpOp.JLE.imm(R3, CHUNK_MAX, sized))
                .emit(Insn.mov64Imm(R3, CHUNK_MAX));
        truncated();
        a.label(sized).emit(Insn.stx(Size.DW, R6, LEN, R3));
        // Each (address, type) once per snapshot: a cycle or a shared object is read once.
        a.emit(Insn.stx(Size.DW, RFP, SEEN_KEY, R2), Insn.stx(Size.DW, RFP, SEEN_KEY + 8, R4))
                .emit(Insn.st(Size.DW, RFP, SEEN_VALUE, 1))
                .emit(Insn.loadMap(R1, SEEN_MAP), Insn.mov64Reg(R2, RFP), AluOp.ADD.imm(R2, SEEN_KEY))
                .emit(Insn.mov64Reg(R3, RFP), AluOp.ADD.imm(R3, SEEN_VALUE), Insn.mov64Imm(R4, BPF_NOEXIST))
                .emit(Insn.call(Helper.MAP_UPDATE_ELEM))
                .emit(JumpOp.JNE.imm(R0, 0, next));
        // The frame's budget.
        String fits = label("fits");
        a.emit(Insn.ldx(Size.DW, R1, R6, USED), Insn.ldx(Size.DW, R2, R6, LEN))
                .emit(Insn.mov64Reg(R3, R1), AluOp.ADD.reg(R3, R2), AluOp.ADD.imm(R3, CaptureRecord.CHUNK_HEADER_BYTES))
                .emit(JumpOp.JLE.imm(R3, plan.frameBytes(), fits));
        truncated();
        a.emit(Insn.ja(next)).label(fits);
        // Chunk header, then the bytes.
        a.emit(AluOp.AND.imm(R1, DATA_MAX - 1), AluOp.ADD.reg(R1, R6))
                .emit(Insn.ldx(Size.DW, R2, R6, ADDR), Insn.stx(Size.DW, R1, DATA, R2))
                .emit(Insn.ldx(Size.DW, R2, R6, TYPE_ID), Insn.stx(Size.W, R1, DATA + 8, R2))
                .emit(Insn.ldx(Size.DW, R2, R6, LEN), Insn.stx(Size.W, R1, DATA + 12, R2))
                .emit(AluOp.ADD.imm(R1, DATA + CaptureRecord.CHUNK_HEADER_BYTES))
                .emit(JumpOp.JGT.imm(R2, CHUNK_MAX, next))
                .emit(Insn.ldx(Size.DW, R3, R6, ADDR));
        Calls.copyFromTarget(a);
        a.emit(Insn.ldx(Size.DW, R1, R6, CHUNKS), AluOp.ADD.imm(R1, 1), Insn.stx(Size.DW, R6, CHUNKS, R1))
                .emit(Insn.ldx(Size.DW, R1, R6, USED), Insn.mov64Reg(R2, R1), AluOp.AND.imm(R2, DATA_MAX - 1), AluOp.ADD.reg(R2, R6));
        String read = label("read");
        a.emit(JumpOp.JEQ.imm(R0, 0, read))
                // A failed read: the length says the errno, and no bytes follow.
                .emit(Insn.stx(Size.W, R2, DATA + 12, R0))
                .emit(AluOp.ADD.imm(R1, CaptureRecord.CHUNK_HEADER_BYTES), Insn.stx(Size.DW, R6, USED, R1))
                .emit(Insn.ja(next))
                .label(read)
                .emit(AluOp.ADD.imm(R1, CaptureRecord.CHUNK_HEADER_BYTES), Insn.stx(Size.DW, R6, CHUNK, R1))
                .emit(Insn.ldx(Size.DW, R2, R6, LEN), AluOp.ADD.imm(R2, 7), AluOp.AND.imm(R2, ~7), AluOp.ADD.reg(R1, R2))
                .emit(Insn.stx(Size.DW, R6, USED, R1))
                .label(scanIt);
        scan(next);
        a.emit(Insn.ja(next)).label(done);
        Calls.iterDestroy(a, kernel, ITER_QUEUE);
    }

    /** The pointers of the chunk just read (CHUNK: its data offset, LEN, TYPE_ID), element by element. */
    private void scan(String after) {
        String elemNext = label("next_elem");
        String elemsDone = label("elems_done");
        a.emit(Insn.ldx(Size.DW, R1, R6, TYPE_ID))
                .emit(JumpOp.JEQ.imm(R1, 0, after))
                .emit(Insn.stx(Size.W, RFP, SEEN_KEY, R1));
        Calls.lookup(a, TYPES_MAP, SEEN_KEY, after);
        a.emit(Insn.stx(Size.DW, RFP, TYPE_PTR, R0))
                .emit(Insn.ldx(Size.W, R2, R0, 0))
                .emit(JumpOp.JEQ.imm(R2, 0, after))
                .emit(Insn.ldx(Size.W, R1, R0, 4))
                .emit(JumpOp.JEQ.imm(R1, 0, after))
                .emit(Insn.ldx(Size.DW, R8, R6, LEN), AluOp.DIV.reg(R8, R2));
        String counted = label("counted");
        a.emit(JumpOp.JLE.imm(R8, MAX_ELEMS, counted)).emit(Insn.mov64Imm(R8, MAX_ELEMS)).label(counted);
        Calls.iterNew(a, kernel, ITER_ELEMS, R8);
        a.label(elemNext);
        Calls.iterNext(a, kernel, ITER_ELEMS, elemsDone);
        a.emit(Insn.ldx(Size.W, R1, R0, 0))
                .emit(Insn.ldx(Size.DW, R2, RFP, TYPE_PTR), Insn.ldx(Size.W, R2, R2, 0))
                .emit(AluOp.MUL.reg(R1, R2))
                .emit(Insn.ldx(Size.DW, R2, R6, CHUNK), AluOp.ADD.reg(R1, R2))
                .emit(Insn.stx(Size.DW, R6, ELEM, R1))
                .emit(Insn.ldx(Size.DW, R2, RFP, TYPE_PTR), Insn.ldx(Size.W, R8, R2, 4));
        slots(elemNext);
        a.label(elemsDone);
        Calls.iterDestroy(a, kernel, ITER_ELEMS);
    }

    /** The slots of one element at ELEM (r8: how many slots). */
    private void slots(String after) {
        String next = label("next_slot");
        String done = label("slots_done");
        Calls.iterNew(a, kernel, ITER_SLOTS, R8);
        a.label(next);
        Calls.iterNext(a, kernel, ITER_SLOTS, done);
        a.emit(Insn.ldx(Size.W, R1, R0, 0))
                .emit(JumpOp.JGE.imm(R1, ReadType.MAX_SLOTS, done))
                .emit(AluOp.LSH.imm(R1, 4), AluOp.ADD.imm(R1, 8))
                .emit(Insn.ldx(Size.DW, R8, RFP, TYPE_PTR), AluOp.ADD.reg(R8, R1))
                // slot: u32 offset, u16 kind, u16 counts depth, u32 target; its words must lie in the chunk.
                .emit(Insn.ldx(Size.W, R1, R8, 0))
                .emit(Insn.ldx(Size.DW, R2, R6, ELEM), AluOp.ADD.reg(R1, R2))
                .emit(Insn.mov64Reg(R3, R1), AluOp.ADD.imm(R3, 8))
                .emit(Insn.ldx(Size.DW, R4, R6, CHUNK), Insn.ldx(Size.DW, R5, R6, LEN), AluOp.ADD.reg(R4, R5))
                .emit(JumpOp.JGT.reg(R3, R4, next))
                // r3 = where the second word is: the slot's offset plus its (signed) distance.
                .emit(Insn.ldx(Size.W, R3, R8, 12), AluOp.LSH.imm(R3, 32), AluOp.ARSH.imm(R3, 32), AluOp.ADD.reg(R3, R1))
                .emit(Insn.mov64Imm(R5, 0))
                .emit(AluOp.AND.imm(R1, DATA_MAX - 1), AluOp.ADD.reg(R1, R6))
                .emit(Insn.ldx(Size.DW, R2, R1, DATA))
                .emit(JumpOp.JEQ.imm(R2, 0, next));
        // The second word (a length, or an interface's data) only if the chunk holds it.
        String oneWord = label("one_word");
        a.emit(Insn.ldx(Size.DW, R1, R6, CHUNK))
                .emit(JumpOp.JLT.reg(R3, R1, oneWord))
                .emit(Insn.mov64Reg(R1, R3), AluOp.ADD.imm(R1, 8))
                .emit(JumpOp.JGT.reg(R1, R4, oneWord))
                .emit(AluOp.AND.imm(R3, DATA_MAX - 1), AluOp.ADD.reg(R3, R6))
                .emit(Insn.ldx(Size.DW, R5, R3, DATA))
                .label(oneWord)
                .emit(Insn.mov64Reg(R3, R5))
                .emit(Insn.stx(Size.DW, R6, PUSH_ADDR, R2), Insn.stx(Size.DW, R6, SLOT_P2, R3))
                .emit(Insn.ldx(Size.H, R1, R8, 6), Insn.ldx(Size.DW, R2, R6, DEPTH), AluOp.ADD.reg(R2, R1))
                .emit(Insn.stx(Size.DW, R6, PUSH_DEPTH, R2))
                .emit(Insn.ldx(Size.W, R1, R8, 8), Insn.stx(Size.DW, R6, PUSH_TYPE, R1))
                .emit(Insn.ldx(Size.H, R1, R8, 4));
        String string = label("string");
        String slice = label("slice");
        String eface = label("eface");
        String iface = label("iface");
        a.emit(JumpOp.JEQ.imm(R1, ReadType.SlotKind.STRING.ordinal(), string))
                .emit(JumpOp.JEQ.imm(R1, ReadType.SlotKind.SLICE.ordinal(), slice))
                .emit(JumpOp.JEQ.imm(R1, ReadType.SlotKind.EFACE.ordinal(), eface))
                .emit(JumpOp.JEQ.imm(R1, ReadType.SlotKind.IFACE.ordinal(), iface));
        String small = label("swiss_small");
        String directory = label("swiss_directory");
        String groups = label("swiss_groups");
        String buckets = label("hmap_buckets");
        String oldBuckets = label("hmap_oldbuckets");
        a.emit(JumpOp.JEQ.imm(R1, ReadType.SlotKind.HMAP_BUCKETS.ordinal(), buckets))
                .emit(JumpOp.JEQ.imm(R1, ReadType.SlotKind.HMAP_OLDBUCKETS.ordinal(), oldBuckets))
                .emit(JumpOp.JEQ.imm(R1, ReadType.SlotKind.SWISS_SMALL.ordinal(), small))
                .emit(JumpOp.JEQ.imm(R1, ReadType.SlotKind.SWISS_DIRECTORY.ordinal(), directory))
                .emit(JumpOp.JEQ.imm(R1, ReadType.SlotKind.SWISS_GROUPS.ordinal(), groups));
        // A pointer: the target's size.
        targetSize(next);
        pushLength(next);
        // A bucket map: 2^B buckets (B the low byte of the second word), up to the map limit.
        a.label(buckets);
        targetSize(next);
        a.emit(Insn.ldx(Size.DW, R2, R6, SLOT_P2), AluOp.AND.imm(R2, 0xff));
        min(R2, MAX_BUCKET_SHIFT);
        a.emit(AluOp.LSH.reg(R1, R2));
        min(R1, plan.mapBytes());
        pushLength(next);
        // A growing bucket map's old buckets: 2^(B-1) of them, or 2^B when it grows to the same size.
        String sameSize = label("same_size");
        a.label(oldBuckets);
        targetSize(next);
        a.emit(Insn.ldx(Size.DW, R2, R6, SLOT_P2), Insn.mov64Reg(R3, R2), AluOp.RSH.imm(R3, 8), AluOp.AND.imm(R3, 0xff))
                .emit(AluOp.AND.imm(R2, SAME_SIZE_GROW))
                .emit(JumpOp.JNE.imm(R2, 0, sameSize))
                .emit(JumpOp.JEQ.imm(R3, 0, next))
                .emit(AluOp.SUB.imm(R3, 1))
                .label(sameSize);
        min(R3, MAX_BUCKET_SHIFT);
        a.emit(AluOp.LSH.reg(R1, R3));
        min(R1, plan.mapBytes());
        pushLength(next);
        // A small swiss map (dirLen 0): its one group.
        a.label(small)
                .emit(Insn.ldx(Size.DW, R1, R6, SLOT_P2))
                .emit(JumpOp.JNE.imm(R1, 0, next));
        targetSize(next);
        pushLength(next);
        // A big one: its directory of table pointers.
        a.label(directory)
                .emit(Insn.ldx(Size.DW, R1, R6, SLOT_P2))
                .emit(JumpOp.JEQ.imm(R1, 0, next));
        min(R1, plan.mapBytes() / 8);
        a.emit(AluOp.LSH.imm(R1, 3));
        pushLength(next);
        // A table's groups: lengthMask + 1 of them, up to the map limit.
        a.label(groups);
        targetSize(next);
        elements(1, plan.mapBytes(), next);
        // A string: up to the limit of its bytes, which are a leaf.
        a.label(string)
                .emit(Insn.st(Size.DW, R6, PUSH_TYPE, 0))
                .emit(Insn.ldx(Size.DW, R1, R6, DEPTH), Insn.stx(Size.DW, R6, PUSH_DEPTH, R1))
                .emit(Insn.ldx(Size.DW, R1, R6, SLOT_P2));
        min(R1, plan.stringBytes());
        pushLength(next);
        // A slice: up to the limit of its elements' bytes.
        a.label(slice);
        targetSize(next);
        elements(0, plan.sliceBytes(), next);
        // A non-empty interface: its itab's head (for the decoder), then through it to the type word.
        a.label(iface)
                .emit(Insn.st(Size.DW, R6, PUSH_LEN, ITAB_HEAD), Insn.st(Size.DW, R6, PUSH_TYPE, 0));
        String itabQueued = label("itab_queued");
        push(itabQueued);
        a.label(itabQueued)
                .emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, TMP), Insn.mov64Imm(R2, 8))
                .emit(Insn.ldx(Size.DW, R3, R6, PUSH_ADDR), AluOp.ADD.imm(R3, itabTypeOffset));
        Calls.copyFromTarget(a);
        a.emit(JumpOp.JNE.imm(R0, 0, next))
                .emit(Insn.ldx(Size.DW, R1, RFP, TMP), Insn.stx(Size.DW, R6, PUSH_ADDR, R1))
                .emit(JumpOp.JEQ.imm(R1, 0, next));
        // An empty interface (or the type found through the itab): the dynamic value's bytes, sized by its type;
        // for a pointer, which the data word is itself, what it points to, sized by the element type.
        String sized = label("iface_sized");
        a.label(eface)
                .emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, TYPE_HEAD), Insn.mov64Imm(R2, typeHeadBytes))
                .emit(Insn.ldx(Size.DW, R3, R6, PUSH_ADDR));
        Calls.copyFromTarget(a);
        // Is it a type the plan knows how to follow? Then what its data word points to is read with the read type
        // the plan gives it (sized by it: for a map, its header), else as bytes sized by the runtime type.
        String unknown = label("dyn_unknown");
        a.emit(JumpOp.JNE.imm(R0, 0, next))
                .emit(Insn.ldx(Size.DW, R2, R6, PUSH_ADDR), Insn.ldx(Size.DW, R5, RFP, DYNAMIC_PTR));
        search(MAX_DYNAMIC_TYPES, 16);
        a.emit(Insn.ldx(Size.DW, R3, R4, 0), Insn.mov64Imm(R1, 0))
                .emit(JumpOp.JNE.reg(R3, R2, unknown))
                .emit(Insn.ldx(Size.W, R1, R4, 8))
                .emit(Insn.stx(Size.DW, R6, DYNAMIC_ID, R1), Insn.stx(Size.DW, R6, PUSH_TYPE, R1));
        targetSize(next);
        a.emit(Insn.ja(sized))
                .label(unknown)
                .emit(Insn.stx(Size.DW, R6, DYNAMIC_ID, R1))
                .emit(Insn.ldx(Size.DW, R1, RFP, TYPE_HEAD + typeSizeOffset))
                .emit(Insn.ldx(Size.B, R2, RFP, TYPE_HEAD + typeKindOffset), AluOp.AND.imm(R2, KIND_MASK))
                .emit(JumpOp.JNE.imm(R2, KIND_POINTER, sized))
                .emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, TMP), Insn.mov64Imm(R2, 8))
                .emit(Insn.ldx(Size.DW, R3, R6, PUSH_ADDR), AluOp.ADD.imm(R3, ptrTypeElemOffset));
        Calls.copyFromTarget(a);
        a.emit(JumpOp.JNE.imm(R0, 0, next))
                .emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, TMP), Insn.mov64Imm(R2, 8))
                .emit(Insn.ldx(Size.DW, R3, RFP, TMP))
                .emit(JumpOp.JEQ.imm(R3, 0, next))
                .emit(AluOp.ADD.imm(R3, typeSizeOffset));
        Calls.copyFromTarget(a);
        a.emit(JumpOp.JNE.imm(R0, 0, next))
                .emit(Insn.ldx(Size.DW, R1, RFP, TMP))
                .label(sized);
        min(R1, plan.sliceBytes());
        a.emit(Insn.stx(Size.DW, R6, PUSH_LEN, R1))
                .emit(Insn.ldx(Size.DW, R1, R6, SLOT_P2), Insn.stx(Size.DW, R6, PUSH_ADDR, R1))
                .emit(JumpOp.JEQ.imm(R1, 0, next))
                .emit(Insn.ldx(Size.DW, R1, R6, DYNAMIC_ID), Insn.stx(Size.DW, R6, PUSH_TYPE, R1));
        push(next);
        a.label(done);
        Calls.iterDestroy(a, kernel, ITER_SLOTS);
        a.emit(Insn.ja(after));
    }

    /** Queues PUSH_ADDR for r1 bytes; then jumps to {@code after}. */
    private void pushLength(String after) {
        a.emit(Insn.stx(Size.DW, R6, PUSH_LEN, R1));
        push(after);
    }

    /**
     * Queues PUSH_ADDR for (the second word + {@code plus}) elements of r1 bytes, up to {@code limit} bytes; then jumps
     * to {@code after}. The count is bounded first so that the product cannot overflow.
     */
    private void elements(int plus, int limit, String after) {
        a.emit(Insn.ldx(Size.DW, R2, R6, SLOT_P2));
        min(R2, limit);
        if (plus != 0) {
            a.emit(AluOp.ADD.imm(R2, plus));
        }
        a.emit(AluOp.MUL.reg(R1, R2));
        min(R1, limit);
        pushLength(after);
    }

    /** r1 = the size of type PUSH_TYPE; to {@code missing} if it has none. */
    private void targetSize(String missing) {
        a.emit(Insn.ldx(Size.DW, R1, R6, PUSH_TYPE), Insn.stx(Size.W, RFP, SEEN_KEY, R1));
        Calls.lookup(a, TYPES_MAP, SEEN_KEY, missing);
        a.emit(Insn.ldx(Size.W, R1, R0, 0))
                .emit(JumpOp.JEQ.imm(R1, 0, missing));
    }

    private void min(Register r, int bound) {
        String ok = label("min");
        a.emit(JumpOp.JLE.imm(r, bound, ok)).emit(Insn.mov64Imm(r, bound)).label(ok);
    }

}
