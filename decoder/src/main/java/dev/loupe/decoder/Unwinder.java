package dev.loupe.decoder;

import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
    /**
     * The calls the runtime injects (its {@code abi.FuncID_asyncPreempt}, {@code _sigpanic}, {@code _debugCallV2}):
     * the pc they return to is where the code was interrupted, not after a call.
     */
    static final Set<String> INJECTED = Set.of("runtime.asyncPreempt", "runtime.sigpanic", "runtime.debugCallV2");

    private final Pclntab pclntab;
    private final Map<Long, Boolean> injectedAt = new HashMap<>();

    Unwinder(Pclntab pclntab) {
        this.pclntab = pclntab;
    }

    /**
     * The result: pcs innermost first, ending before the top frame, and whether the stack goes on beyond them;
     * {@code chainAt} holds, for each return address of the chain in its order, its index in {@code pcs}, or -1
     * where the chain was not used.
     */
    record Pcs(List<Long> pcs, boolean truncated, List<Integer> chainAt) {}

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
        List<Integer> chainAt = new ArrayList<>(Collections.nCopies(chain.size(), -1));
        boolean incomplete = false;
        Walk w = window.length == 0 ? null
                : walk(pc0, sp0, chain.isEmpty() ? 0 : bp0, chain, ByteBuffer.wrap(window).order(ByteOrder.LITTLE_ENDIAN), limit);
        if (w != null && (w.joinAt >= 0 || w.reachedTop || chain.isEmpty())) {
            raw.addAll(w.pcs);
            if (w.joinAt >= 0) {
                // Return addresses of the chain the walk passed are its frames too.
                for (int i = 0, from = 0; i < w.joinAt; i++) {
                    int at = raw.subList(from, raw.size()).indexOf(chain.get(i));
                    if (at >= 0) {
                        chainAt.set(i, from + at);
                        from += at + 1;
                    }
                }
                for (int i = w.joinAt; i < chain.size(); i++) {
                    chainAt.set(i, raw.size());
                    raw.add(chain.get(i));
                }
            } else {
                incomplete = !w.reachedTop;
            }
        } else {
            // No window, or no frame in it matched bp: the chain follows the innermost frame.
            raw.add(pc0);
            for (int i = 0; i < chain.size(); i++) {
                chainAt.set(i, raw.size());
                raw.add(chain.get(i));
            }
        }
        List<Long> out = new ArrayList<>(Math.min(raw.size(), limit));
        for (long pc : raw) {
            if (isTopFrame(pc, out.isEmpty())) {
                return new Pcs(out, false, chainAt);
            }
            if (out.size() == limit) {
                return new Pcs(out, true, chainAt);
            }
            out.add(pc);
        }
        return new Pcs(out, incomplete, chainAt);
    }

    /** {@code joinAt}: the index in the chain the walk continues with, -1 if it did not join the chain. */
    private record Walk(List<Long> pcs, int joinAt, boolean reachedTop) {}

    private Walk walk(long pc0, long sp0, long joinAt, List<Long> chain, ByteBuffer window, int limit) {
        List<Long> pcs = new ArrayList<>();
        pcs.add(pc0);
        long pc = pc0;
        long sp = sp0;
        // Past a call the runtime injected (asynchronous preemption), the interrupted function may not have pushed
        // bp yet, and the chain then skips its caller: when the chain has such a call, the walk goes on by the pcsp
        // table, past the call, until a return address is one the chain has after the interrupted pc.
        if (chain.stream().anyMatch(ret -> isInjected(ret, false))) {
            joinAt = 0;
        }
        int interruptedAt = -2;
        while (pcs.size() <= limit) {
            boolean innermost = pcs.size() == 1;
            if (isTopFrame(pc, innermost)) {
                return new Walk(pcs, -1, true);
            }
            int delta = pclntab.spDelta(pc);
            if (delta < 0) {
                break;
            }
            long cfa = sp + delta + PTR;
            if (interruptedAt == -2 && joinAt != 0 && cfa - 2 * PTR == joinAt) {
                return new Walk(pcs, 0, false);
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
            if (isInjected(pc, innermost)) {
                interruptedAt = chain.indexOf(ret);
            } else if (interruptedAt != -2) {
                int from = interruptedAt + 1;
                int at = chain.subList(from, chain.size()).indexOf(ret);
                if (at >= 0) {
                    return new Walk(pcs, from + at + 1, false);
                }
            }
            pc = ret;
            sp = cfa;
        }
        return new Walk(pcs, -1, false);
    }

    /**
     * Whether the pc is in a function the runtime calls from a signal handler as if the code it interrupted had; kept
     * per address, as the return addresses of every chain with a window are asked.
     */
    private boolean isInjected(long pc, boolean innermost) {
        return injectedAt.computeIfAbsent(innermost ? pc : pc - 1,
                at -> pclntab.functionAt(at).map(f -> INJECTED.contains(f.name())).orElse(false));
    }

    /** Whether the pc is in a top frame: its own instruction for the innermost frame, the call before it otherwise. */
    private boolean isTopFrame(long pc, boolean innermost) {
        Optional<Func> f = pclntab.functionAt(innermost ? pc : pc - 1);
        return f.isPresent() && (f.get().flag() & TOP_FRAME) != 0;
    }
}
