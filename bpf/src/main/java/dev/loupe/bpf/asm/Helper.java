package dev.loupe.bpf.asm;

import java.util.Locale;
import java.util.Optional;

/**
 * The kernel helper functions Loupe calls, with their ids from {@code __BPF_FUNC_MAPPER} in the uapi
 * {@code linux/bpf.h}. Ids never change once a kernel has shipped them; comments name the first kernel for the newer ones.
 */
public enum Helper {
    MAP_LOOKUP_ELEM(1),
    MAP_UPDATE_ELEM(2),
    MAP_DELETE_ELEM(3),
    KTIME_GET_NS(5),
    TRACE_PRINTK(6),
    GET_SMP_PROCESSOR_ID(8),
    TAIL_CALL(12),
    GET_CURRENT_PID_TGID(14),
    GET_CURRENT_UID_GID(15),
    GET_CURRENT_COMM(16),
    PERF_EVENT_OUTPUT(25),
    GET_CURRENT_TASK(35),
    GET_STACK(67),
    /** Linux 5.5. */
    PROBE_READ_USER(112),
    /** Linux 5.5. */
    PROBE_READ_KERNEL(113),
    /** Linux 5.5. */
    PROBE_READ_USER_STR(114),
    /** Linux 5.5. */
    PROBE_READ_KERNEL_STR(115),
    /** Linux 5.7, iterator programs only. */
    SEQ_WRITE(127),
    /** Linux 5.8. */
    RINGBUF_OUTPUT(130),
    /** Linux 5.8. */
    RINGBUF_RESERVE(131),
    /** Linux 5.8. */
    RINGBUF_SUBMIT(132),
    /** Linux 5.8. */
    RINGBUF_DISCARD(133),
    /** Linux 5.8. */
    RINGBUF_QUERY(134),
    /** Linux 5.10, sleepable programs only. */
    COPY_FROM_USER(148),
    /** Linux 5.11. */
    GET_CURRENT_TASK_BTF(158),
    /** Linux 5.15. */
    TASK_PT_REGS(175),
    /** Linux 5.17. */
    FIND_VMA(180),
    /** Linux 5.17. */
    LOOP(181),
    /** Linux 5.18, sleepable programs only. */
    COPY_FROM_USER_TASK(191);

    private final int id;

    Helper(int id) {
        this.id = id;
    }

    /** The helper id, the immediate of {@code call}. */
    public int id() {
        return id;
    }

    /** The kernel's name, e.g. {@code bpf_ringbuf_output}. */
    public String kernelName() {
        return "bpf_" + name().toLowerCase(Locale.ROOT);
    }

    /** The helper with this id, if Loupe knows it. */
    public static Optional<Helper> byId(long id) {
        for (Helper h : values()) {
            if (h.id == id) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }
}
