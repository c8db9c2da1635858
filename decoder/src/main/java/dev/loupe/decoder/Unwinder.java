package dev.loupe.decoder;

import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Completes the program's frame-pointer chain where frame pointers do not tell the whole story: the innermost
 * frames of a goroutine interrupted anywhere (a function's prologue, a frameless leaf) or stopped in a system call
 * of a Go version that did not save bp. Those are unwound as the Go runtime does, with pclntab's pcsp table
 * (canonical frame address = sp + sp delta + 8 on amd64), through the window of stack the program sent, until a
 * frame's saved-bp slot is where the chain starts; the chain then continues.
 */
final class Unwinder {
    /** {@code abi.FuncFlagTopFrame}: the function is the outermost of a stack (goexit, mstart, rt0_go). */
    private static final int TOP_FRAME = 1;
    private static final int PTR = 8;

    private final Pclntab pclntab;

    Unwinder(Pclntab pclntab) {
        this.pclntab = pclntab;
    }

    /**
     * The result: pcs innermost first, ending before the top frame, and whether the stack goes on beyond them;
     * {@code chainStart} is the index in {@code pcs} of the chain's first return address, -1 if the chain is not used.
     */
    record Pcs(List<Long> pcs, boolean truncated, int chainStart) {}

    /**
     * @param pc0    the innermost pc
     * @param sp0    its sp
     * @param bp0    the bp the chain starts at, 0 if none
     * @param chain  the return addresses the program read from the frame-pointer chain
     * @param window the stack from sp0, empty when the program sent none
     * @param limit  the most pcs to return
     */
    Pcs unwind(long pc0, long sp0, long bp0, List<Long> chain, byte[] window, int limit) {
        List<Long> raw = new ArrayList<>(chain.size() + 1);
        boolean incomplete = false;
        int chainStart = -1;
        Walk w = window.length == 0 ? null
                : walk(pc0, sp0, chain.isEmpty() ? 0 : bp0, ByteBuffer.wrap(window).order(ByteOrder.LITTLE_ENDIAN), limit);
        if (w != null && (w.joined || w.reachedTop || chain.isEmpty())) {
            raw.addAll(w.pcs);
            if (w.joined) {
                chainStart = raw.size();
                raw.addAll(chain);
            } else {
                incomplete = !w.reachedTop;
            }
        } else {
            // No window, or no frame in it matched bp: the chain follows the innermost frame.
            raw.add(pc0);
            chainStart = 1;
            raw.addAll(chain);
        }
        List<Long> out = new ArrayList<>(Math.min(raw.size(), limit));
        for (long pc : raw) {
            if (isTopFrame(pc, out.isEmpty())) {
                return new Pcs(out, false, chainStart);
            }
            if (out.size() == limit) {
                return new Pcs(out, true, chainStart);
            }
            out.add(pc);
        }
        return new Pcs(out, incomplete, chainStart);
    }

    private record Walk(List<Long> pcs, boolean joined, boolean reachedTop) {}

    private Walk walk(long pc0, long sp0, long joinAt, ByteBuffer window, int limit) {
        List<Long> pcs = new ArrayList<>();
        pcs.add(pc0);
        long pc = pc0;
        long sp = sp0;
        while (pcs.size() <= limit) {
            if (isTopFrame(pc, pcs.size() == 1)) {
                return new Walk(pcs, false, true);
            }
            int delta = pclntab.spDelta(pc);
            if (delta < 0) {
                break;
            }
            long cfa = sp + delta + PTR;
            if (joinAt != 0 && cfa - 2 * PTR == joinAt) {
                return new Walk(pcs, true, false);
            }
            long slot = cfa - PTR - sp0;
            if (slot < 0 || slot + PTR > window.capacity()) {
                break;
            }
            long ret = window.getLong((int) slot);
            if (ret == 0) {
                break;
            }
            pcs.add(ret);
            pc = ret;
            sp = cfa;
        }
        return new Walk(pcs, false, false);
    }

    /** Whether the pc is in a top frame: its own instruction for the innermost frame, the call before it otherwise. */
    private boolean isTopFrame(long pc, boolean innermost) {
        Optional<Func> f = pclntab.functionAt(innermost ? pc : pc - 1);
        return f.isPresent() && (f.get().flag() & TOP_FRAME) != 0;
    }
}
