package dev.loupe.agent.internal.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code perf_event_open(2)} for uprobes through the {@code uprobe} PMU, and the perf event ioctls. */
public final class Perf {
    private Perf() {}

    private static final Path UPROBE_TYPE = Path.of("/sys/bus/event_source/devices/uprobe/type");
    /** {@code PERF_ATTR_SIZE_VER1}: the layout in {@link Uapi#PERF_EVENT_ATTR}. */
    private static final int ATTR_SIZE = 72;
    /** Bit 0 of {@code perf_event_attr}'s flag word. */
    private static final long FLAG_DISABLED = 1;
    /** {@code PERF_FLAG_FD_CLOEXEC}. */
    private static final long FD_CLOEXEC = 1 << 3;
    /** {@code PERF_EVENT_IOC_ENABLE}: {@code _IO('$', 0)}. */
    private static final long IOC_ENABLE = 0x2400;

    /** The dynamic PMU type of uprobes, from sysfs (Linux 4.17+). */
    public static int uprobePmuType() throws IOException {
        return Integer.parseInt(Files.readString(UPROBE_TYPE).strip());
    }

    /**
     * Opens a disabled entry uprobe on {@code binary} at file offset {@code offset}, firing only in thread {@code tid}.
     * Attach a program ({@link Bpf#linkPerfEvent}), then {@link #enable} it.
     */
    public static Fd openUprobe(int pmuType, Path binary, long offset, int tid) throws SysException {
        try (Arena arena = Arena.ofConfined()) {
            Struct attr = new Struct(arena, Uapi.PERF_EVENT_ATTR)
                    .set("type", pmuType)
                    .set("size", ATTR_SIZE)
                    .set("flags", FLAG_DISABLED)
                    .set("uprobe_path", arena.allocateFrom(binary.toString()))
                    .set("probe_offset", offset);
            int fd = Syscalls.perfEventOpen(attr.segment(), tid, -1, -1, FD_CLOEXEC);
            return Fd.own(fd, "uprobe " + binary + "+0x" + Long.toHexString(offset));
        }
    }

    /** {@code PERF_EVENT_IOC_ENABLE}. */
    public static void enable(Fd perfEvent) throws SysException {
        Syscalls.ioctl(perfEvent.raw(), IOC_ENABLE, 0, "PERF_EVENT_IOC_ENABLE");
    }
}
