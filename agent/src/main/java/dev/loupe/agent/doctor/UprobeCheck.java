package dev.loupe.agent.doctor;

import dev.loupe.agent.internal.sys.Bpf;
import dev.loupe.agent.internal.sys.Errno;
import dev.loupe.agent.internal.sys.Fd;
import dev.loupe.agent.internal.sys.Perf;
import dev.loupe.agent.internal.sys.ProgramSpec;
import dev.loupe.agent.internal.sys.SysException;
import dev.loupe.agent.internal.sys.Syscalls;
import dev.loupe.bpf.asm.AluOp;
import dev.loupe.bpf.asm.Assembler;
import dev.loupe.bpf.asm.AtomicOp;
import dev.loupe.bpf.asm.Helper;
import dev.loupe.bpf.asm.Insn;
import dev.loupe.bpf.asm.JumpOp;
import dev.loupe.bpf.asm.Program;
import dev.loupe.bpf.asm.Size;

import java.io.IOException;
import java.lang.foreign.Linker;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

import static dev.loupe.bpf.asm.Register.R0;
import static dev.loupe.bpf.asm.Register.R1;
import static dev.loupe.bpf.asm.Register.R2;
import static dev.loupe.bpf.asm.Register.RFP;

/**
 * How dynamic events will attach: a uprobe through the {@code uprobe} PMU on libc's {@code getpid}, which this JVM
 * then calls through FFM, with a kprobe-type program counting hits in an array map. The uprobe fires only in
 * the calling thread, so nothing else on the host is slowed down.
 */
final class UprobeCheck implements Check {
    private static final int CALLS = 3;
    /** Since the 2025 fix "perf/core: require CAP_SYS_ADMIN for uprobes", CAP_PERFMON is not enough. */
    static final String UPROBE_PRIVILEGE = "run as root, or grant CAP_SYS_ADMIN: current kernels let only CAP_SYS_ADMIN "
            + "create uprobes (systemd: AmbientCapabilities=CAP_SYS_ADMIN CAP_BPF CAP_PERFMON)";
    private static final String FUNCTION = "getpid";

    /** Adds 1 to the u64 at key 0 of the array map {@code counter}. */
    static Program program() {
        return new Assembler()
                .emit(Insn.st(Size.W, RFP, -4, 0))
                .emit(Insn.mov64Reg(R2, RFP), AluOp.ADD.imm(R2, -4))
                .emit(Insn.loadMap(R1, "counter"))
                .emit(Insn.call(Helper.MAP_LOOKUP_ELEM))
                .emit(JumpOp.JEQ.imm(R0, 0, "exit"))
                .emit(Insn.mov64Imm(R1, 1))
                .emit(AtomicOp.ADD.insn(Size.DW, R0, 0, R1))
                .label("exit")
                .emit(Insn.mov64Imm(R0, 0), Insn.exit())
                .build();
    }

    /** A place in a mapped file, as uprobes want it. */
    record FileOffset(Path binary, long offset) {}

    /** Translates an address in this process to file + offset through {@code /proc/self/maps}: addr − start + pgoff. */
    static FileOffset fileOffset(long address) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            // 7f2a1c028000-7f2a1c1bd000 r-xp 00028000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6
            String[] f = line.split("\\s+", 6);
            if (f.length < 6 || !f[5].startsWith("/")) {
                continue;
            }
            int dash = f[0].indexOf('-');
            long start = Long.parseUnsignedLong(f[0], 0, dash, 16);
            long end = Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16);
            if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0) {
                return new FileOffset(Path.of(f[5]), address - start + Long.parseUnsignedLong(f[2], 16));
            }
        }
        throw new IOException(String.format("no file mapping in /proc/self/maps holds 0x%x", address));
    }

    @Override
    public String name() {
        return "uprobe PMU";
    }

    /** Snapshots read memory from a task iterator; uprobes serve dynamic events, which a snapshot does not need. */
    @Override
    public boolean required() {
        return false;
    }

    @Override
    public String fallbackRemedy() {
        return "use a kernel ≥ 4.17 built with CONFIG_UPROBE_EVENTS=y";
    }

    @Override
    public String remedy(Throwable failure) {
        return switch (failure) {
            case NoSuchFileException e -> fallbackRemedy();
            case SysException e when e.operation().equals("perf_event_open") && e.is(Errno.EACCES) -> UPROBE_PRIVILEGE;
            default -> Check.super.remedy(failure);
        };
    }

    @Override
    public Finding run(Host host) throws Exception {
        int pmu = Perf.uprobePmuType();
        long address = Linker.nativeLinker().defaultLookup().find(FUNCTION)
                .orElseThrow(() -> new IOException("the C library has no " + FUNCTION)).address();
        FileOffset target = fileOffset(address);
        try (Fd counter = Bpf.mapCreate(Bpf.MapType.ARRAY, "loupe_doctor_up", 4, 8, 1);
             Fd prog = Bpf.progLoad(ProgramSpec.of(Bpf.ProgType.KPROBE, "loupe_doctor_up", program(), Map.of("counter", counter.raw())));
             Fd event = Perf.openUprobe(pmu, target.binary(), target.offset(), Syscalls.gettid());
             Fd link = Bpf.linkPerfEvent(prog, event)) {
            Perf.enable(event);
            for (int i = 0; i < CALLS; i++) {
                Syscalls.getpid();
            }
            long hits = Bpf.mapLookup(counter, new byte[4], 8)
                    .map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong()).orElse(0L);
            String where = "a uprobe (PMU type " + pmu + ") on " + FUNCTION + " in " + target.binary();
            if (hits < CALLS) {
                return Finding.missing(name(), where + " ran its BPF program " + hits + " times for " + CALLS + " calls",
                        fallbackRemedy(), required());
            }
            return Finding.ok(name(), where + " ran a BPF program " + hits + " times for " + CALLS + " calls", required());
        }
    }
}
