package dev.loupe.bpf.btf;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * What a snapshot program needs to know about the kernel it runs on, read from that kernel's BTF: offsets in
 * kernel structs, and the BTF ids of the functions it attaches to or calls. The agent reads them on its host;
 * the generator builds the program with them.
 *
 * @param iterTask       BTF id of FUNC {@code bpf_iter_task}, the attach target of a task iterator
 * @param ctxTask        offset of {@code task} in {@code struct bpf_iter__task}
 * @param taskPid        offset of {@code pid} (the thread id) in {@code struct task_struct}
 * @param taskTgid       offset of {@code tgid} (the process id) in {@code struct task_struct}
 * @param iterNumNew     BTF id of the kfunc {@code bpf_iter_num_new} (open-coded loops, Linux 6.4)
 * @param iterNumNext    BTF id of the kfunc {@code bpf_iter_num_next}
 * @param iterNumDestroy BTF id of the kfunc {@code bpf_iter_num_destroy}
 * @param taskFromPid    BTF id of the kfunc {@code bpf_task_from_pid} (a thread by id, referenced; Linux 6.2)
 * @param taskRelease    BTF id of the kfunc {@code bpf_task_release}
 * @param ptRegs         offsets in {@code struct pt_regs} (the user registers a stopped thread saved) of the x86-64
 *                       registers by DWARF number, 0 to 16: ax, dx, cx, bx, si, di, bp, sp, r8 to r15, ip
 * @param signalFrame    where a thread stopped in a signal handler keeps the registers it was interrupted with;
 *                       null when the kernel's BTF does not describe it
 */
public record KernelFacts(int iterTask, int ctxTask, int taskPid, int taskTgid,
                          int iterNumNew, int iterNumNext, int iterNumDestroy,
                          int taskFromPid, int taskRelease, List<Integer> ptRegs, SignalFrame signalFrame) {
    /** {@code pt_regs}' members in the order of the x86-64 DWARF register numbers. */
    public static final List<String> DWARF_REGISTERS = List.of("ax", "dx", "cx", "bx", "si", "di", "bp", "sp",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "ip");
    public static final int DWARF_BP = 6;
    public static final int DWARF_SP = 7;
    public static final int DWARF_IP = 16;

    public KernelFacts {
        ptRegs = List.copyOf(ptRegs);
        if (ptRegs.size() != DWARF_REGISTERS.size()) {
            throw new IllegalArgumentException(ptRegs.size() + " pt_regs offsets, not " + DWARF_REGISTERS.size());
        }
    }

    /**
     * The signal frame ({@code struct rt_sigframe}) the kernel pushes on a thread's alternate signal stack: a thread
     * stopped inside a handler (Go's, preempting it, or a C one) has the registers of the code it interrupted there,
     * not in {@code pt_regs}. Go runs every handler on the alternate stack, so the frame is near its top, below the
     * FPU state; the frame's {@code uc_stack} repeats the thread's {@code sas_ss_sp} and {@code sas_ss_size}, which
     * tells it from other bytes.
     *
     * @param taskAltStackSp   offset of {@code sas_ss_sp} (the alternate signal stack's base) in {@code struct task_struct}
     * @param taskAltStackSize offset of {@code sas_ss_size} in {@code struct task_struct}
     * @param altStackSp       offset of {@code uc.uc_stack.ss_sp} in {@code struct rt_sigframe}
     * @param altStackSize     offset of {@code uc.uc_stack.ss_size} in {@code struct rt_sigframe}
     * @param regs             offsets in {@code struct rt_sigframe} of {@code uc.uc_mcontext}'s registers, by DWARF
     *                         number as {@link #ptRegs}
     */
    public record SignalFrame(int taskAltStackSp, int taskAltStackSize, int altStackSp, int altStackSize, List<Integer> regs) {
        public SignalFrame {
            regs = List.copyOf(regs);
            if (regs.size() != DWARF_REGISTERS.size()) {
                throw new IllegalArgumentException(regs.size() + " signal frame register offsets, not " + DWARF_REGISTERS.size());
            }
        }

        /** The bytes of the frame up to and including its last register. */
        public int regsEnd() {
            return regs.stream().mapToInt(Integer::intValue).max().orElseThrow() + 8;
        }

        /** Read from a kernel's BTF, or null if it lacks a part of it. */
        static SignalFrame of(Btf btf) {
            List<Optional<BtfType.Member>> regs = DWARF_REGISTERS.stream()
                    .map(r -> btf.findMember("rt_sigframe", "uc.uc_mcontext." + r)).toList();
            Optional<BtfType.Member> sp = btf.findMember("task_struct", "sas_ss_sp");
            Optional<BtfType.Member> size = btf.findMember("task_struct", "sas_ss_size");
            Optional<BtfType.Member> frameSp = btf.findMember("rt_sigframe", "uc.uc_stack.ss_sp");
            Optional<BtfType.Member> frameSize = btf.findMember("rt_sigframe", "uc.uc_stack.ss_size");
            if (sp.isEmpty() || size.isEmpty() || frameSp.isEmpty() || frameSize.isEmpty()
                    || regs.stream().anyMatch(Optional::isEmpty)) {
                return null;
            }
            return new SignalFrame((int) sp.get().byteOffset(), (int) size.get().byteOffset(),
                    (int) frameSp.get().byteOffset(), (int) frameSize.get().byteOffset(),
                    regs.stream().map(m -> (int) m.orElseThrow().byteOffset()).toList());
        }
    }

    /** The offset of {@code ip} in {@code struct pt_regs}. */
    public int regsIp() {
        return ptRegs.get(DWARF_IP);
    }

    /** The offset of {@code sp} in {@code struct pt_regs}. */
    public int regsSp() {
        return ptRegs.get(DWARF_SP);
    }

    /** The offset of {@code bp} in {@code struct pt_regs}. */
    public int regsBp() {
        return ptRegs.get(DWARF_BP);
    }

    /**
     * Reads the facts from a kernel's BTF ({@code /sys/kernel/btf/vmlinux}).
     *
     * @throws NoSuchElementException naming what the kernel lacks
     */
    public static KernelFacts of(Btf btf) {
        return new KernelFacts(func(btf, "bpf_iter_task"), offset(btf, "bpf_iter__task", "task"),
                offset(btf, "task_struct", "pid"), offset(btf, "task_struct", "tgid"),
                func(btf, "bpf_iter_num_new"), func(btf, "bpf_iter_num_next"), func(btf, "bpf_iter_num_destroy"),
                func(btf, "bpf_task_from_pid"), func(btf, "bpf_task_release"),
                DWARF_REGISTERS.stream().map(r -> offset(btf, "pt_regs", r)).toList(), SignalFrame.of(btf));
    }

    private static int func(Btf btf, String name) {
        return btf.findTypeId(name, BtfKind.FUNC).orElseThrow(() ->
                new NoSuchElementException("the kernel's BTF has no function " + name + " (Linux 6.4 or newer needed)"));
    }

    private static int offset(Btf btf, String struct, String member) {
        return (int) btf.findMember(struct, member).orElseThrow(() ->
                new NoSuchElementException("the kernel's BTF has no " + struct + "." + member)).byteOffset();
    }
}
