package dev.loupe.agent.internal.sys;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/**
 * The {@code bpf(2)} commands Loupe uses, each building its {@code union bpf_attr} member from {@link Uapi}. Every
 * object created comes back as an {@link Fd} that the caller owns.
 */
public final class Bpf {
    private Bpf() {}

    /** {@code BPF_F_SLEEPABLE}: the program may fault in user memory (iterators, {@code bpf_copy_from_user_task}). */
    public static final int F_SLEEPABLE = 1 << 4;

    /** {@code BPF_LOG_LEVEL1}: the verifier's instruction-by-instruction log. */
    private static final int LOG_LEVEL1 = 1;
    private static final int LOG_INITIAL_BYTES = 256 << 10;
    private static final int LOG_MAX_BYTES = 64 << 20;
    /** The verifier answers EAGAIN when a signal interrupts it; retry like libbpf does. */
    private static final int LOAD_ATTEMPTS = 5;

    /** {@code enum bpf_map_type}, the types Loupe uses. */
    public enum MapType {
        HASH(1), ARRAY(2), RINGBUF(27);

        final int value;

        MapType(int value) {
            this.value = value;
        }
    }

    /** {@code enum bpf_prog_type}, the types Loupe uses. */
    public enum ProgType {
        SOCKET_FILTER(1), KPROBE(2), TRACING(26);

        final int value;

        ProgType(int value) {
            this.value = value;
        }
    }

    /** {@code enum bpf_attach_type}, the types Loupe uses; {@code UNSPEC} is 0, which the kernel reads as "none" for most program types. */
    public enum AttachType {
        UNSPEC(0), TRACE_ITER(28), PERF_EVENT(41);

        final int value;

        AttachType(int value) {
            this.value = value;
        }
    }

    /** {@code BPF_MAP_CREATE}. */
    public static Fd mapCreate(MapType type, String name, int keySize, int valueSize, int maxEntries) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            Struct attr = new Struct(arena, Uapi.BpfCmd.MAP_CREATE.layout())
                    .set("map_type", type.value)
                    .set("key_size", keySize)
                    .set("value_size", valueSize)
                    .set("max_entries", maxEntries)
                    .setString("map_name", name);
            return Fd.own(Syscalls.bpf(Uapi.BpfCmd.MAP_CREATE, attr.segment()), "BPF map " + name);
        }
    }

    /** {@code BPF_MAP_UPDATE_ELEM} with {@code BPF_ANY}. */
    public static void mapUpdate(Fd map, byte[] key, byte[] value) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            Struct attr = new Struct(arena, Uapi.BpfCmd.MAP_UPDATE_ELEM.layout())
                    .set("map_fd", map.raw())
                    .set("key", arena.allocateFrom(ValueLayout.JAVA_BYTE, key))
                    .set("value", arena.allocateFrom(ValueLayout.JAVA_BYTE, value));
            Syscalls.bpf(Uapi.BpfCmd.MAP_UPDATE_ELEM, attr.segment());
        }
    }

    /** {@code BPF_MAP_LOOKUP_ELEM}: the value, or empty when the key is absent ({@code ENOENT}). */
    public static Optional<byte[]> mapLookup(Fd map, byte[] key, int valueSize) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(valueSize, 8);
            Struct attr = new Struct(arena, Uapi.BpfCmd.MAP_LOOKUP_ELEM.layout())
                    .set("map_fd", map.raw())
                    .set("key", arena.allocateFrom(ValueLayout.JAVA_BYTE, key))
                    .set("value", value);
            try {
                Syscalls.bpf(Uapi.BpfCmd.MAP_LOOKUP_ELEM, attr.segment());
            } catch (BpfException e) {
                if (e.is(Errno.ENOENT)) {
                    return Optional.empty();
                }
                throw e;
            }
            return Optional.of(value.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /**
     * {@code BPF_PROG_LOAD}. The first attempt runs without a verifier log, which is faster; if it fails for any
     * reason but missing privilege, the load is repeated with {@code BPF_LOG_LEVEL1} so the error can say why.
     *
     * @throws VerifierException when the verifier rejects the program
     * @throws BpfException      for any other failure, e.g. {@code EPERM}
     */
    public static Fd progLoad(ProgramSpec spec) throws BpfException {
        byte[] code = spec.instructions();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(code.length, 8);
            MemorySegment.copy(code, 0, insns, ValueLayout.JAVA_BYTE, 0, code.length);
            Struct attr = new Struct(arena, Uapi.BpfCmd.PROG_LOAD.layout())
                    .set("prog_type", spec.type().value)
                    .set("insn_cnt", code.length / 8)
                    .set("insns", insns)
                    .set("license", arena.allocateFrom("GPL"))
                    .set("prog_flags", spec.flags())
                    .setString("prog_name", spec.name())
                    .set("expected_attach_type", spec.expectedAttachType().value)
                    .set("attach_btf_id", spec.attachBtfId());
            try {
                return Fd.own(load(attr), "BPF program " + spec.name());
            } catch (BpfException first) {
                if (first.is(Errno.EPERM)) {
                    throw first;
                }
                return Fd.own(loadWithLog(arena, attr, spec.name(), first), "BPF program " + spec.name());
            }
        }
    }

    private static int load(Struct attr) throws BpfException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Syscalls.bpf(Uapi.BpfCmd.PROG_LOAD, attr.segment());
            } catch (BpfException e) {
                if (!e.is(Errno.EAGAIN) || attempt == LOAD_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Loads again with a verifier log. When the log does not fit, the buffer grows to the size the kernel asks for
     * ({@code log_true_size}, Linux 6.4+) or else fourfold, up to 64 MiB; past that the log keeps what fitted.
     */
    private static int loadWithLog(Arena arena, Struct attr, String name, BpfException first) throws BpfException {
        long size = LOG_INITIAL_BYTES;
        while (true) {
            MemorySegment log = arena.allocate(size);
            attr.set("log_level", LOG_LEVEL1).set("log_size", size).set("log_buf", log).set("log_true_size", 0);
            try {
                return load(attr);
            } catch (BpfException e) {
                long wanted = attr.get("log_true_size");
                long next = wanted > size ? wanted : size * 4;
                if (e.is(Errno.ENOSPC) && next <= LOG_MAX_BYTES) {
                    size = next;
                    continue;
                }
                int errno = e.is(Errno.ENOSPC) ? first.errno() : e.errno();
                throw new VerifierException(name, errno, log.getString(0));
            }
        }
    }

    /** The outcome of {@code BPF_PROG_TEST_RUN}: the program's return value and the kernel-measured run time. */
    public record TestRun(int retval, long durationNs) {}

    /** {@code BPF_PROG_TEST_RUN}: runs the program once on {@code data} (a packet, for socket filters). */
    public static TestRun testRun(Fd program, byte[] data) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            Struct attr = new Struct(arena, Uapi.BpfCmd.PROG_TEST_RUN.layout())
                    .set("prog_fd", program.raw())
                    .set("data_in", arena.allocateFrom(ValueLayout.JAVA_BYTE, data))
                    .set("data_size_in", data.length)
                    .set("repeat", 1);
            Syscalls.bpf(Uapi.BpfCmd.PROG_TEST_RUN, attr.segment());
            return new TestRun((int) attr.get("retval"), attr.get("duration"));
        }
    }

    /** Facts from {@code struct bpf_prog_info}. */
    public record ProgInfo(int id, String name, int jitedBytes, int xlatedBytes) {}

    /** {@code BPF_OBJ_GET_INFO_BY_FD} for a program. */
    public static ProgInfo progInfo(Fd program) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            Struct info = new Struct(arena, Uapi.BPF_PROG_INFO);
            Struct attr = new Struct(arena, Uapi.BpfCmd.OBJ_GET_INFO_BY_FD.layout())
                    .set("bpf_fd", program.raw())
                    .set("info_len", Uapi.BPF_PROG_INFO.byteSize())
                    .set("info", info.segment());
            Syscalls.bpf(Uapi.BpfCmd.OBJ_GET_INFO_BY_FD, attr.segment());
            return new ProgInfo((int) info.get("id"), info.getString("name"),
                    (int) info.get("jited_prog_len"), (int) info.get("xlated_prog_len"));
        }
    }

    /** {@code BPF_LINK_CREATE} with {@code BPF_PERF_EVENT}: runs the program when the perf event (e.g. a uprobe) fires. */
    public static Fd linkPerfEvent(Fd program, Fd perfEvent) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            Struct attr = new Struct(arena, Uapi.BpfCmd.LINK_CREATE.layout())
                    .set("prog_fd", program.raw())
                    .set("target_fd", perfEvent.raw())
                    .set("attach_type", AttachType.PERF_EVENT.value);
            return Fd.own(Syscalls.bpf(Uapi.BpfCmd.LINK_CREATE, attr.segment()), "BPF perf event link");
        }
    }

    /**
     * {@code BPF_LINK_CREATE} with {@code BPF_TRACE_ITER} for a task iterator program.
     *
     * @param pid visit only this process's threads ({@code bpf_iter_link_info.task.pid}, Linux 6.1+); 0 for all
     */
    public static Fd linkTaskIterator(Fd program, int pid) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            Struct attr = new Struct(arena, Uapi.BpfCmd.LINK_CREATE.layout())
                    .set("prog_fd", program.raw())
                    .set("attach_type", AttachType.TRACE_ITER.value);
            if (pid != 0) {
                Struct info = new Struct(arena, Uapi.BPF_ITER_LINK_INFO_TASK).set("pid", pid);
                attr.set("target.iter.iter_info", info.segment())
                        .set("target.iter.iter_info_len", Uapi.BPF_ITER_LINK_INFO_TASK.byteSize());
            }
            return Fd.own(Syscalls.bpf(Uapi.BpfCmd.LINK_CREATE, attr.segment()), "BPF iterator link");
        }
    }

    /** {@code BPF_ITER_CREATE}: a readable fd; each {@code read(2)} runs the iterator program further. */
    public static Fd iterCreate(Fd link) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            Struct attr = new Struct(arena, Uapi.BpfCmd.ITER_CREATE.layout()).set("link_fd", link.raw());
            return Fd.own(Syscalls.bpf(Uapi.BpfCmd.ITER_CREATE, attr.segment()), "BPF iterator");
        }
    }

    /**
     * Reads an iterator fd to its end, or until {@code limit} bytes: the caller closes the fd, which stops it.
     */
    public static byte[] readIterator(Fd iterator, int limit) throws SysException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.min(limit, 64 << 10));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (out.size() < limit) {
                long n = Syscalls.read(iterator.raw(), buf.asSlice(0, Math.min(buf.byteSize(), limit - out.size())),
                        "BPF iterator");
                if (n == 0) {
                    break;
                }
                out.write(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
            }
            return out.toByteArray();
        }
    }
}
