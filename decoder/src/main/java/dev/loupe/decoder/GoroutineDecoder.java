package dev.loupe.decoder;

import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;
import dev.loupe.dwarf.pclntab.SourceLine;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.probegen.GoroutineRecord;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes the {@link GoroutineRecord}s of one process: the g's fields through the binary's {@link RuntimeLayout},
 * wait reasons through its own {@code runtime.waitReasonStrings}, the stack unwound and symbolised with its
 * pclntab, inlined frames expanded. Not thread-safe (it caches symbolised pcs).
 */
public final class GoroutineDecoder {
    private final RuntimeLayout.G g;
    private final List<String> waitReasons;
    private final Pclntab pclntab;
    private final Unwinder unwinder;
    private final int maxDepth;
    private final long monotonicNs;
    private final long realtimeNs;
    private final Map<Long, List<Frame>> callerFrames = new HashMap<>();

    /**
     * @param layout      the binary's runtime layout
     * @param waitReasons the binary's wait-reason strings, indexed by {@code g.waitreason}
     * @param pclntab     the binary's pclntab
     * @param maxDepth    the most frames (real, before inlined ones are expanded) per goroutine
     * @param monotonicNs CLOCK_MONOTONIC at the pause, the clock of the runtime's {@code nanotime}
     * @param realtimeNs  CLOCK_REALTIME at the same moment
     */
    public GoroutineDecoder(RuntimeLayout layout, List<String> waitReasons, Pclntab pclntab, int maxDepth,
                            long monotonicNs, long realtimeNs) {
        this.g = layout.g();
        this.waitReasons = List.copyOf(waitReasons);
        this.pclntab = pclntab;
        this.unwinder = new Unwinder(pclntab);
        this.maxDepth = maxDepth;
        this.monotonicNs = monotonicNs;
        this.realtimeNs = realtimeNs;
    }

    /**
     * Decodes one record.
     *
     * @return the goroutine, or empty when the program could not read its g (a goroutine created or freed while
     *         the runtime was mid-update; the caller counts them)
     * @throws IllegalArgumentException when the record is shorter than its header says
     */
    public Optional<GoroutineStack> decode(byte[] record) {
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        int gBytes = Math.toIntExact(g.size());
        if (record.length < GoroutineRecord.HEADER_BYTES + gBytes) {
            throw new IllegalArgumentException("goroutine record of " + record.length + " bytes, expected at least "
                    + (GoroutineRecord.HEADER_BYTES + gBytes));
        }
        if (b.getInt(GoroutineRecord.G_ERROR) != 0) {
            return Optional.empty();
        }
        int flags = Short.toUnsignedInt(b.getShort(GoroutineRecord.FLAGS));
        int npcs = Short.toUnsignedInt(b.getShort(GoroutineRecord.NPCS));
        int windowBytes = b.getInt(GoroutineRecord.WINDOW);
        int pcsAt = GoroutineRecord.HEADER_BYTES + gBytes;
        if (windowBytes < 0 || record.length < pcsAt + npcs * 8L + windowBytes) {
            throw new IllegalArgumentException("goroutine record of " + record.length + " bytes cannot hold " + npcs
                    + " pcs and a " + windowBytes + "-byte window");
        }
        List<Long> chain = new ArrayList<>(npcs);
        for (int i = 0; i < npcs; i++) {
            chain.add(b.getLong(pcsAt + i * 8));
        }
        byte[] window = new byte[windowBytes];
        b.get(pcsAt + npcs * 8, window);
        int source = flags & GoroutineRecord.SOURCE_MASK;
        // The runtime clears g.sched.sp when it resumes a goroutine: one running without its registers found has
        // only a stale pc there, and no stack to show (the runtime's own "stack unavailable").
        boolean unavailable = (flags & (GoroutineRecord.NO_THREAD | GoroutineRecord.OFF_STACK)) != 0
                && b.getLong(GoroutineRecord.SP) == 0;
        Unwinder.Pcs pcs = unavailable ? new Unwinder.Pcs(List.of(), true, Collections.nCopies(npcs, -1))
                : unwinder.unwind(b.getLong(GoroutineRecord.PC), b.getLong(GoroutineRecord.SP),
                        b.getLong(GoroutineRecord.BP), chain, window, maxDepth);
        List<Frame> frames = new ArrayList<>(pcs.pcs().size() + 4);
        List<Integer> physical = new ArrayList<>(pcs.pcs().size());
        for (int i = 0; i < pcs.pcs().size(); i++) {
            long pc = pcs.pcs().get(i);
            // A thread's pc is the instruction it was interrupted at, and so is the pc an injected call returns to;
            // every other pc is a return address, whose call is the instruction before it (the runtime's "symPC").
            boolean interrupted = i == 0 ? source == GoroutineRecord.SOURCE_THREAD
                    : Unwinder.INJECTED.contains(frames.getLast().function());
            frames.addAll(interrupted ? symbolise(pc, pc) : callerFrames(pc));
            // The pc's own function comes last, after the calls inlined into it.
            physical.add(frames.size() - 1);
        }
        List<Integer> chainDepth = new ArrayList<>(npcs);
        for (int at : pcs.chainAt()) {
            chainDepth.add(at >= 0 && at < physical.size() ? physical.get(at) : -1);
        }
        boolean truncated = pcs.truncated()
                || (flags & (GoroutineRecord.TRUNCATED | GoroutineRecord.STACK_READ_FAILED)) != 0;
        int innermostDepth = source == GoroutineRecord.SOURCE_THREAD && !physical.isEmpty() ? physical.getFirst() : -1;
        return Optional.of(new GoroutineStack(info(b, flags), frames, truncated, b.getInt(GoroutineRecord.INDEX), chainDepth,
                innermostDepth));
    }

    private GoroutineInfo info(ByteBuffer b, int flags) {
        int at = GoroutineRecord.HEADER_BYTES;
        long goid = b.getLong(at + (int) g.goid());
        int status = b.getInt(at + (int) g.atomicstatus()) & ~GoStatus.SCAN;
        String waitReason = null;
        if (status == GoStatus.WAITING) {
            int reason = Byte.toUnsignedInt(b.get(at + (int) g.waitreason()));
            waitReason = reason < waitReasons.size() && !waitReasons.get(reason).isEmpty() ? waitReasons.get(reason) : null;
        }
        long waitsince = g.waitsince() == RuntimeLayout.ABSENT ? 0 : b.getLong(at + (int) g.waitsince());
        Long waitSinceNs = waitsince > 0 && waitsince <= monotonicNs ? realtimeNs - (monotonicNs - waitsince) : null;
        Long parent = g.parentGoid() == RuntimeLayout.ABSENT ? null : b.getLong(at + (int) g.parentGoid());
        if (parent != null && parent == 0) {
            parent = null;
        }
        int source = flags & GoroutineRecord.SOURCE_MASK;
        int tid = b.getInt(GoroutineRecord.THREAD_ID);
        Long threadId = tid != 0 && (source == GoroutineRecord.SOURCE_THREAD || (flags & GoroutineRecord.OFF_STACK) != 0)
                ? (long) tid : null;
        long gopc = g.gopc() == RuntimeLayout.ABSENT ? 0 : b.getLong(at + (int) g.gopc());
        String createdBy = null;
        String createdByFile = null;
        int createdByLine = 0;
        Optional<Func> creator = gopc == 0 || goid == 1 ? Optional.empty() : pclntab.functionAt(gopc);
        if (creator.isPresent()) {
            // As the runtime's printcreatedby: the function holding the go statement, at the position of its call.
            long tracepc = gopc > creator.get().entry() ? gopc - 1 : gopc;
            SourceLine line = pclntab.line(tracepc);
            createdBy = creator.get().printName();
            createdByFile = line.file();
            createdByLine = line.line();
        }
        return new GoroutineInfo(goid, GoStatus.name(status), waitReason, waitSinceNs, createdBy, createdByFile,
                createdByLine, parent, threadId);
    }

    private List<Frame> callerFrames(long pc) {
        return callerFrames.computeIfAbsent(pc, p -> {
            // The runtime's rule: the function holding the pc decides; at its very entry (a goroutine that has
            // not run yet) the pc is not a return address.
            Optional<Func> f = pclntab.functionAt(p);
            return symbolise(p, f.isPresent() && p > f.get().entry() ? p - 1 : p);
        });
    }

    private List<Frame> symbolise(long pc, long symPc) {
        List<dev.loupe.dwarf.pclntab.Frame> logical = pclntab.frames(symPc);
        if (logical.isEmpty()) {
            return List.of(new Frame("?", "?", 0, pc, false));
        }
        List<Frame> out = new ArrayList<>(logical.size());
        for (dev.loupe.dwarf.pclntab.Frame f : logical) {
            out.add(new Frame(f.printName(), f.file(), f.line(), pc, f.inlined()));
        }
        return out;
    }
}
