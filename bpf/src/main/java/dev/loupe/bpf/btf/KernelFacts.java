package dev.loupe.bpf.btf;

import java.util.NoSuchElementException;

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
 * @param regsIp         offset of {@code ip} in {@code struct pt_regs}, the user registers a stopped thread saved
 * @param regsSp         offset of {@code sp} in {@code struct pt_regs}
 * @param regsBp         offset of {@code bp} in {@code struct pt_regs}
 */
public record KernelFacts(int iterTask, int ctxTask, int taskPid, int taskTgid,
                          int iterNumNew, int iterNumNext, int iterNumDestroy,
                          int taskFromPid, int taskRelease, int regsIp, int regsSp, int regsBp) {

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
                offset(btf, "pt_regs", "ip"), offset(btf, "pt_regs", "sp"), offset(btf, "pt_regs", "bp"));
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
