package dev.loupe.agent.doctor;

import dev.loupe.agent.internal.sys.Bpf;
import dev.loupe.agent.internal.sys.Errno;
import dev.loupe.agent.internal.sys.Fd;
import dev.loupe.agent.internal.sys.ProgramSpec;
import dev.loupe.agent.internal.sys.RingBuffer;
import dev.loupe.agent.internal.sys.SysException;
import dev.loupe.agent.internal.sys.Syscalls;
import dev.loupe.bpf.asm.AluOp;
import dev.loupe.bpf.asm.Assembler;
import dev.loupe.bpf.asm.Helper;
import dev.loupe.bpf.asm.Insn;
import dev.loupe.bpf.asm.Program;
import dev.loupe.bpf.asm.Size;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static dev.loupe.bpf.asm.Register.R1;
import static dev.loupe.bpf.asm.Register.R2;
import static dev.loupe.bpf.asm.Register.R3;
import static dev.loupe.bpf.asm.Register.R4;
import static dev.loupe.bpf.asm.Register.RFP;

/**
 * The path every snapshot record takes: a {@code BPF_MAP_TYPE_RINGBUF}, a program that writes a known 8-byte value
 * with {@code bpf_ringbuf_output} (a socket filter run once by {@code BPF_PROG_TEST_RUN}), and the record read
 * back through the ring buffer's {@code mmap}ed pages.
 */
final class RingBufferCheck implements Check {
    /** The smallest ring buffer: one page (more where pages are larger). */
    static final int SIZE = 4096;
    /** {@code BPF_PROG_TEST_RUN} of a socket filter needs at least an Ethernet header. */
    private static final byte[] PACKET = new byte[64];

    /** Writes {@code value} as one 8-byte record into the ring buffer map {@code rb}; returns the helper's result. */
    static Program program(long value) {
        return new Assembler()
                .emit(Insn.ldImm64(R1, value))
                .emit(Insn.stx(Size.DW, RFP, -8, R1))
                .emit(Insn.loadMap(R1, "rb"))
                .emit(Insn.mov64Reg(R2, RFP), AluOp.ADD.imm(R2, -8))
                .emit(Insn.mov64Imm(R3, 8), Insn.mov64Imm(R4, 0))
                .emit(Insn.call(Helper.RINGBUF_OUTPUT))
                .emit(Insn.exit())
                .build();
    }

    @Override
    public String name() {
        return "ring buffer";
    }

    @Override
    public boolean required() {
        return true;
    }

    @Override
    public String fallbackRemedy() {
        return BPF_KERNEL;
    }

    @Override
    public String remedy(Throwable failure) {
        if (failure instanceof SysException s && s.operation().equals("BPF_MAP_CREATE") && s.is(Errno.EINVAL)) {
            return "BPF_MAP_TYPE_RINGBUF needs Linux ≥ 5.8";
        }
        return Check.super.remedy(failure);
    }

    @Override
    public Finding run(Host host) throws Exception {
        long magic = ThreadLocalRandom.current().nextLong();
        int size = (int) Math.max(SIZE, Syscalls.pageSize());
        try (Fd map = Bpf.mapCreate(Bpf.MapType.RINGBUF, "loupe_doctor_rb", 0, 0, size);
             Fd prog = Bpf.progLoad(ProgramSpec.of(Bpf.ProgType.SOCKET_FILTER, "loupe_doctor_rb", program(magic), Map.of("rb", map.raw())));
             RingBuffer ring = RingBuffer.map(map, size)) {
            Bpf.TestRun run = Bpf.testRun(prog, PACKET);
            List<byte[]> records = new ArrayList<>();
            ring.poll(record -> records.add(record.toArray(ValueLayout.JAVA_BYTE)));
            boolean same = records.size() == 1 && records.getFirst().length == 8
                    && ByteBuffer.wrap(records.getFirst()).order(ByteOrder.nativeOrder()).getLong() == magic;
            if (run.retval() != 0 || !same) {
                return Finding.missing(name(), "bpf_ringbuf_output returned " + run.retval() + " and " + records.size()
                        + " records came back instead of the one 8-byte record written", BPF_KERNEL, required());
            }
            return Finding.ok(name(), "BPF_MAP_TYPE_RINGBUF of " + size / 1024 + " KiB: a record written by "
                    + "bpf_ringbuf_output in BPF_PROG_TEST_RUN read back through mmap", required());
        }
    }
}
