package dev.loupe.decoder.fuzz;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.probegen.GoroutineRecord;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Goroutine records as the snapshot program sends them, for goroutines of the {@code values} target as they look
 * parked, running, in a system call or unreadable: a g with its id, status, wait reason, wait start, creator and
 * parent; pc, sp and bp; the return addresses of the frame-pointer chain (pcs in the program's functions, some
 * with inlined calls, up to {@code runtime.goexit}); for a running goroutine or one in a system call, the window
 * of stack from sp holding the return addresses that pclntab's pcsp table unwinds to, up to where the chain starts.
 */
final class GoroutineSeeds {
    private static final long STACK = 0xc000100000L;
    private static final int EFAULT = -14;
    /** {@code _Grunning}, {@code _Gsyscall}, {@code _Gwaiting}. */
    private static final int RUNNING = 2;
    private static final int SYSCALL = 3;
    private static final int WAITING = 4;

    private final GoBinary binary;
    private final Pclntab pclntab;
    private final RuntimeLayout.G g;

    private GoroutineSeeds(GoBinary binary) {
        this.binary = binary;
        this.pclntab = binary.pclntab();
        this.g = binary.runtimeLayout().g();
    }

    /** A goroutine's state, as its g says. */
    private record State(long goid, int status, String waitReason, long gopc, long parent) {}

    static Map<String, byte[]> all(GoBinary binary) {
        GoroutineSeeds s = new GoroutineSeeds(binary);
        long exit = s.func("runtime.goexit").entry() + 1;
        long creator = s.mid("main.launch");
        Map<String, byte[]> out = new LinkedHashMap<>();
        List<Long> chanReceive = List.of(s.inlined("runtime.chanrecv"), s.mid("runtime.chanrecv1"), s.mid("main.parkStrings"),
                s.mid("main.start.func2"), exit);
        State parked = new State(21, WAITING, "chan receive", creator, 1);
        out.put("seed-parked", s.record(3, GoroutineRecord.SOURCE_SCHED, parked, s.mid("runtime.gopark"), chanReceive, 0, 0));
        out.put("seed-main", s.record(0, GoroutineRecord.SOURCE_SCHED, new State(1, WAITING, "sync.WaitGroup.Wait", 0, 0),
                s.mid("runtime.gopark"), List.of(s.inlined("runtime.semacquire1"), s.mid("sync.runtime_SemacquireWaitGroup"),
                        s.inlined("sync.(*WaitGroup).Wait"), s.inlined("main.main"), s.inlined("runtime.main"), exit), 0, 0));
        State running = new State(30, RUNNING, "", creator, 1);
        out.put("seed-running", s.record(5, GoroutineRecord.SOURCE_THREAD, running, s.inlined("main.record"),
                List.of(s.mid("main.parkMaps"), s.mid("main.start.func6"), exit), 1, 0));
        out.put("seed-running-leaf", s.record(6, GoroutineRecord.SOURCE_THREAD, running, s.func("main.keepAlive").entry() + 4,
                List.of(s.mid("main.parkFuncs"), s.mid("main.start.func9"), exit), 1, 0));
        out.put("seed-syscall", s.record(7, GoroutineRecord.SOURCE_SYSCALL, new State(31, SYSCALL, "", creator, 30),
                s.mid("syscall.RawSyscall6"), List.of(s.mid("syscall.Syscall6"), s.mid("main.start.func9"), exit), 3, 0));
        out.put("seed-stack-read-failed", s.record(8, GoroutineRecord.SOURCE_SCHED
                        | GoroutineRecord.TRUNCATED | GoroutineRecord.STACK_READ_FAILED, parked, s.mid("runtime.gopark"),
                chanReceive.subList(0, 2), 0, EFAULT));
        out.put("seed-no-thread", s.record(9, GoroutineRecord.SOURCE_SCHED | GoroutineRecord.NO_THREAD,
                new State(32, RUNNING, "", creator, 1), s.mid("runtime.gopark"), chanReceive, 0, 0));
        ByteBuffer unreadable = ByteBuffer.allocate(GoroutineRecord.HEADER_BYTES + (int) s.g.size()).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(GoroutineRecord.INDEX, 10).putInt(GoroutineRecord.G_ERROR, EFAULT);
        out.put("seed-g-unreadable", unreadable.array());
        return out;
    }

    /**
     * The record of a goroutine at {@code pc0} whose callers' return addresses are {@code callers}, innermost
     * first: the first {@code unwound} of them in the window from sp (for pclntab's pcsp table), the rest in the
     * frame-pointer chain (none when {@code unwound} is all of them: a system call of a Go that saved no bp).
     */
    private byte[] record(int index, int flags, State state, long pc0, List<Long> callers, int unwound, int stackError) {
        long sp0 = STACK - 0x400;
        long sp = sp0;
        long pc = pc0;
        ByteBuffer window = ByteBuffer.allocate(0x400).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < unwound; i++) {
            long cfa = sp + pclntab.spDelta(pc) + 8;
            window.putLong((int) (cfa - 8 - sp0), callers.get(i));
            pc = callers.get(i);
            sp = cfa;
        }
        boolean all = unwound == callers.size();
        long bp = 0;
        List<Long> chain = List.of();
        int windowBytes = (int) (sp - sp0);
        if (!all) {
            // The frame the chain starts at: its saved bp (a frame further up) and return address are in the window too.
            long cfa = sp + pclntab.spDelta(pc) + 8;
            bp = cfa - 16;
            chain = callers.subList(unwound, callers.size());
            windowBytes = unwound == 0 ? 0 : (int) (cfa - sp0);
            if (unwound > 0) {
                window.putLong((int) (bp - sp0), bp + 0x80).putLong((int) (bp + 8 - sp0), chain.getFirst());
            }
        }
        ByteBuffer b = ByteBuffer.allocate(GoroutineRecord.HEADER_BYTES + (int) g.size() + 8 * chain.size() + windowBytes)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(GoroutineRecord.INDEX, index).putShort(GoroutineRecord.FLAGS, (short) flags)
                .putShort(GoroutineRecord.NPCS, (short) chain.size())
                .putInt(GoroutineRecord.THREAD_ID, (flags & GoroutineRecord.SOURCE_MASK) == GoroutineRecord.SOURCE_THREAD ? 4242 : 0)
                .putLong(GoroutineRecord.PC, pc0).putLong(GoroutineRecord.SP, sp0).putLong(GoroutineRecord.BP, bp)
                .putInt(GoroutineRecord.WINDOW, windowBytes).putInt(GoroutineRecord.STACK_ERROR, stackError);
        int at = GoroutineRecord.HEADER_BYTES;
        b.putLong(at + (int) g.stackLo(), STACK - 0x2000).putLong(at + (int) g.stackHi(), STACK)
                .putLong(at + (int) g.schedSp(), sp0).putLong(at + (int) g.schedPc(), pc0).putLong(at + (int) g.schedBp(), bp)
                .putInt(at + (int) g.atomicstatus(), state.status()).putLong(at + (int) g.goid(), state.goid())
                .put(at + (int) g.waitreason(), (byte) Math.max(0, binary.waitReasons().indexOf(state.waitReason())))
                .putLong(at + (int) g.waitsince(), state.status() == WAITING ? GoroutineDecoderFuzzTest.MONOTONIC_NS - 5_000_000_000L : 0)
                .putLong(at + (int) g.gopc(), state.gopc()).putLong(at + (int) g.parentGoid(), state.parent());
        at += (int) g.size();
        for (long r : chain) {
            b.putLong(at, r);
            at += 8;
        }
        b.put(at, window.array(), 0, windowBytes);
        return b.array();
    }

    private Func func(String name) {
        return pclntab.functions().stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no function " + name + " in " + binary));
    }

    /** A pc in the middle of the function. */
    private long mid(String name) {
        Func f = func(name);
        return f.entry() + (f.end() - f.entry()) / 2;
    }

    /** The first pc of the function that has inlined calls. */
    private long inlined(String name) {
        Func f = func(name);
        for (long pc = f.entry(); pc < f.end(); pc++) {
            if (pclntab.frames(pc).size() > 1) {
                return pc;
            }
        }
        throw new IllegalStateException(name + " has no inlined calls in " + binary);
    }
}
