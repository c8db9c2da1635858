package dev.loupe.agent.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The kernel structs this package passes to system calls, as FFM layouts: the one place their field offsets are
 * written down, transcribed from the uapi headers {@code linux/bpf.h}, {@code linux/perf_event.h} and
 * {@code sys/utsname.h}. Field names are the C names; where C has an anonymous union or struct, the group gets the
 * name given in the comment. Only the leading fields Loupe uses are declared: the kernel treats a shorter
 * {@code size} as "the rest is zero".
 */
final class Uapi {
    private Uapi() {}

    private static ValueLayout u32(String name) {
        return JAVA_INT.withName(name);
    }

    private static ValueLayout u64(String name) {
        return JAVA_LONG.withName(name);
    }

    private static MemoryLayout chars(String name, int length) {
        return MemoryLayout.sequenceLayout(length, JAVA_BYTE).withName(name);
    }

    private static MemoryLayout pad(int bytes) {
        return MemoryLayout.paddingLayout(bytes);
    }

    /** {@code BPF_OBJ_NAME_LEN}. */
    static final int OBJ_NAME_LEN = 16;

    /** The {@code bpf(2)} commands Loupe uses ({@code enum bpf_cmd}), each with its member of {@code union bpf_attr}. */
    enum BpfCmd {
        MAP_CREATE(0, MemoryLayout.structLayout(
                u32("map_type"), u32("key_size"), u32("value_size"), u32("max_entries"), u32("map_flags"),
                u32("inner_map_fd"), u32("numa_node"), chars("map_name", OBJ_NAME_LEN), u32("map_ifindex"),
                u32("btf_fd"), u32("btf_key_type_id"), u32("btf_value_type_id"), u32("btf_vmlinux_value_type_id"),
                u64("map_extra"))),
        MAP_LOOKUP_ELEM(1, Elem.LAYOUT),
        MAP_UPDATE_ELEM(2, Elem.LAYOUT),
        PROG_LOAD(5, MemoryLayout.structLayout(
                u32("prog_type"), u32("insn_cnt"), u64("insns"), u64("license"),
                u32("log_level"), u32("log_size"), u64("log_buf"), u32("kern_version"), u32("prog_flags"),
                chars("prog_name", OBJ_NAME_LEN), u32("prog_ifindex"), u32("expected_attach_type"),
                u32("prog_btf_fd"), u32("func_info_rec_size"), u64("func_info"), u32("func_info_cnt"),
                u32("line_info_rec_size"), u64("line_info"), u32("line_info_cnt"), u32("attach_btf_id"),
                u32("attach_btf_obj_fd") /* union with attach_prog_fd */, u32("core_relo_cnt"), u64("fd_array"),
                u64("core_relos"), u32("core_relo_rec_size"), u32("log_true_size"))),
        PROG_TEST_RUN(10, MemoryLayout.structLayout(
                u32("prog_fd"), u32("retval"), u32("data_size_in"), u32("data_size_out"), u64("data_in"),
                u64("data_out"), u32("repeat"), u32("duration"), u32("ctx_size_in"), u32("ctx_size_out"),
                u64("ctx_in"), u64("ctx_out"), u32("flags"), u32("cpu"), u32("batch_size"), pad(4))),
        OBJ_GET_INFO_BY_FD(15, MemoryLayout.structLayout(u32("bpf_fd"), u32("info_len"), u64("info"))),
        LINK_CREATE(28, MemoryLayout.structLayout(
                u32("prog_fd"), u32("target_fd"), u32("attach_type"), u32("flags"),
                MemoryLayout.unionLayout(
                        u32("target_btf_id"),
                        MemoryLayout.structLayout(u64("iter_info"), u32("iter_info_len"), pad(4)).withName("iter"),
                        MemoryLayout.structLayout(u64("bpf_cookie")).withName("perf_event")).withName("target"))),
        ITER_CREATE(33, MemoryLayout.structLayout(u32("link_fd"), u32("flags")));

        private final int number;
        private final StructLayout layout;

        BpfCmd(int number, StructLayout layout) {
            this.number = number;
            this.layout = layout;
        }

        int number() {
            return number;
        }

        StructLayout layout() {
            return layout;
        }

        /** The uapi name, e.g. {@code BPF_PROG_LOAD}. */
        String uapiName() {
            return "BPF_" + name();
        }
    }

    /** The {@code BPF_MAP_*_ELEM} member of {@code union bpf_attr}. */
    private static final class Elem {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                u32("map_fd"), pad(4), u64("key"), u64("value") /* union with next_key */, u64("flags"));
    }

    /** {@code struct bpf_prog_info}, up to {@code name}. */
    static final StructLayout BPF_PROG_INFO = MemoryLayout.structLayout(
            u32("type"), u32("id"), chars("tag", 8), u32("jited_prog_len"), u32("xlated_prog_len"),
            u64("jited_prog_insns"), u64("xlated_prog_insns"), u64("load_time"), u32("created_by_uid"),
            u32("nr_map_ids"), u64("map_ids"), chars("name", OBJ_NAME_LEN));

    /** The {@code task} member of {@code union bpf_iter_link_info}, padded to the union's 16 bytes. */
    static final StructLayout BPF_ITER_LINK_INFO_TASK = MemoryLayout.structLayout(
            u32("tid"), u32("pid"), u32("pid_fd"), pad(4));

    /**
     * {@code struct perf_event_attr} up to {@code config2} ({@code PERF_ATTR_SIZE_VER1}). {@code flags} is the word of
     * one-bit fields starting with {@code disabled}; {@code config1} and {@code config2} are named by their
     * meaning for the uprobe PMU, {@code uprobe_path} and {@code probe_offset}.
     */
    static final StructLayout PERF_EVENT_ATTR = MemoryLayout.structLayout(
            u32("type"), u32("size"), u64("config"), u64("sample_period"), u64("sample_type"), u64("read_format"),
            u64("flags"), u32("wakeup_events"), u32("bp_type"), u64("uprobe_path"), u64("probe_offset"));

    /** {@code struct utsname} as glibc defines it on Linux: six 65-byte strings. */
    static final StructLayout UTSNAME = MemoryLayout.structLayout(
            chars("sysname", 65), chars("nodename", 65), chars("release", 65), chars("version", 65),
            chars("machine", 65), chars("domainname", 65));
}
