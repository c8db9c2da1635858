package dev.loupe.agent.doctor;

import dev.loupe.agent.internal.sys.Bpf;
import dev.loupe.agent.internal.sys.BpfException;
import dev.loupe.agent.internal.sys.Errno;
import dev.loupe.agent.internal.sys.Fd;
import dev.loupe.agent.internal.sys.ProgramSpec;
import dev.loupe.agent.internal.sys.Syscalls;
import dev.loupe.agent.internal.sys.VerifierException;
import dev.loupe.bpf.asm.AluOp;
import dev.loupe.bpf.asm.Assembler;
import dev.loupe.bpf.asm.Helper;
import dev.loupe.bpf.asm.Insn;
import dev.loupe.bpf.asm.JumpOp;
import dev.loupe.bpf.asm.Program;
import dev.loupe.bpf.asm.Size;
import dev.loupe.bpf.btf.Btf;
import dev.loupe.bpf.btf.BtfKind;
import dev.loupe.bpf.btf.BtfType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.NoSuchElementException;
import java.util.concurrent.ThreadLocalRandom;

import static dev.loupe.bpf.asm.Register.R0;
import static dev.loupe.bpf.asm.Register.R1;
import static dev.loupe.bpf.asm.Register.R2;
import static dev.loupe.bpf.asm.Register.R3;
import static dev.loupe.bpf.asm.Register.R4;
import static dev.loupe.bpf.asm.Register.R5;
import static dev.loupe.bpf.asm.Register.R6;
import static dev.loupe.bpf.asm.Register.R7;
import static dev.loupe.bpf.asm.Register.RFP;

/**
 * How a snapshot reads a paused process: a sleepable task iterator ({@code iter.s/task}: {@code BPF_PROG_TYPE_TRACING},
 * {@code BPF_TRACE_ITER} on FUNC {@code bpf_iter_task}, {@code BPF_F_SLEEPABLE}) that copies 8 bytes of this
 * JVM's memory with {@code bpf_copy_from_user_task} and emits them with {@code bpf_seq_write}; the test reads the
 * iterator and compares. All struct offsets come from the kernel's BTF.
 */
final class TaskIteratorCheck implements Check {
    private static final int READ_LIMIT = 64 << 10;

    /** The struct offsets the program needs, from BTF. */
    record Offsets(int ctxMeta, int ctxTask, int metaSeq, int taskTgid) {
        static Offsets from(Btf btf) {
            return new Offsets(bytes(btf, "bpf_iter__task", "meta"), bytes(btf, "bpf_iter__task", "task"),
                    bytes(btf, "bpf_iter_meta", "seq"), bytes(btf, "task_struct", "tgid"));
        }

        private static int bytes(Btf btf, String struct, String member) {
            BtfType.Member m = btf.findMember(struct, member)
                    .orElseThrow(() -> new NoSuchElementException("vmlinux BTF has no " + struct + "." + member));
            return (int) m.byteOffset();
        }
    }

    /**
     * For each task of process {@code tgid}: copy 8 bytes at {@code userAddress} in that task's memory to the stack
     * and write them to the iterator's output.
     */
    static Program program(Offsets off, long userAddress, int tgid) {
        return new Assembler()
                .emit(Insn.mov64Reg(R6, R1))
                .emit(Insn.ldx(Size.DW, R7, R6, off.ctxTask()))
                .emit(JumpOp.JEQ.imm(R7, 0, "exit"))            // NULL once past the last task
                .emit(Insn.ldx(Size.W, R1, R7, off.taskTgid()))
                .emit(JumpOp.JNE.imm(R1, tgid, "exit"))
                .emit(Insn.mov64Reg(R1, RFP), AluOp.ADD.imm(R1, -8))
                .emit(Insn.mov64Imm(R2, 8))
                .emit(Insn.ldImm64(R3, userAddress))
                .emit(Insn.mov64Reg(R4, R7), Insn.mov64Imm(R5, 0))
                .emit(Insn.call(Helper.COPY_FROM_USER_TASK))
                .emit(JumpOp.JNE.imm(R0, 0, "exit"))
                .emit(Insn.ldx(Size.DW, R1, R6, off.ctxMeta()))
                .emit(Insn.ldx(Size.DW, R1, R1, off.metaSeq()))
                .emit(Insn.mov64Reg(R2, RFP), AluOp.ADD.imm(R2, -8))
                .emit(Insn.mov64Imm(R3, 8))
                .emit(Insn.call(Helper.SEQ_WRITE))
                .label("exit")
                .emit(Insn.mov64Imm(R0, 0), Insn.exit())
                .build();
    }

    @Override
    public String name() {
        return "task iterator";
    }

    @Override
    public boolean required() {
        return true;
    }

    @Override
    public String fallbackRemedy() {
        return "use a kernel ≥ 5.18 (sleepable task iterators with bpf_copy_from_user_task) with CONFIG_DEBUG_INFO_BTF=y";
    }

    @Override
    public String remedy(Throwable failure) {
        return failure instanceof VerifierException
                ? "the verifier rejected the iterator; " + fallbackRemedy()
                : Check.super.remedy(failure);
    }

    @Override
    public Finding run(Host host) throws Exception {
        Btf btf = host.btf();
        int target = btf.findTypeId("bpf_iter_task", BtfKind.FUNC).orElse(0);
        if (target == 0) {
            return Finding.missing(name(), "vmlinux BTF has no FUNC bpf_iter_task", fallbackRemedy(), required());
        }
        Offsets offsets = Offsets.from(btf);
        int pid = Syscalls.getpid();
        long magic = ThreadLocalRandom.current().nextLong();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment secret = arena.allocate(ValueLayout.JAVA_LONG);
            secret.set(ValueLayout.JAVA_LONG, 0, magic);
            ProgramSpec spec = ProgramSpec.of(Bpf.ProgType.TRACING, "loupe_doctor_it",
                            program(offsets, secret.address(), pid))
                    .attachTo(Bpf.AttachType.TRACE_ITER, target)
                    .withFlags(Bpf.F_SLEEPABLE);
            try (Fd prog = Bpf.progLoad(spec);
                 Link link = Link.create(prog, pid);
                 Fd iter = Bpf.iterCreate(link.fd())) {
                return verdict(Bpf.readIterator(iter, READ_LIMIT), magic, target, pid, link.filtered());
            }
        }
    }

    /** The iterator link, and whether the kernel restricted it to one process. */
    private record Link(Fd fd, boolean filtered) implements AutoCloseable {
        static Link create(Fd prog, int pid) throws BpfException {
            try {
                return new Link(Bpf.linkTaskIterator(prog, pid), true);
            } catch (BpfException e) {
                if (!e.is(Errno.EINVAL)) {
                    throw e;
                }
                // Before Linux 6.1 task iterators take no pid; the program's tgid test still applies.
                return new Link(Bpf.linkTaskIterator(prog, 0), false);
            }
        }

        @Override
        public void close() {
            fd.close();
        }
    }

    private Finding verdict(byte[] out, long magic, int target, int pid, boolean filtered) {
        ByteBuffer records = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
        boolean allMagic = out.length > 0 && out.length % 8 == 0;
        while (allMagic && records.hasRemaining()) {
            allMagic = records.getLong() == magic;
        }
        if (!allMagic) {
            return Finding.missing(name(), "the iterator returned " + out.length + " bytes, not copies of the 8 bytes "
                    + "at the address given", fallbackRemedy(), required());
        }
        return Finding.ok(name(), "sleepable iter/task (FUNC bpf_iter_task, BTF id " + target + ") read this JVM's "
                + "memory with bpf_copy_from_user_task in " + out.length / 8 + " threads of pid " + pid
                + (filtered ? "" : " (kernel < 6.1: iterated all tasks)"), required());
    }
}
