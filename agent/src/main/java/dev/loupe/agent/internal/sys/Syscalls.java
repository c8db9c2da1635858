package dev.loupe.agent.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls into the C library with {@code errno} captured right after each call, before the JVM can clobber it.
 * {@code bpf(2)} and {@code perf_event_open(2)} have no libc wrapper and go through the variadic {@code syscall(3)};
 * the rest use their portable libc names. Failures become {@link SysException}s; nothing here returns -1.
 */
public final class Syscalls {
    private Syscalls() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));
    /** waitpid's status word, per thread: a pause polls waitpid in a tight loop and must not allocate. */
    private static final ThreadLocal<MemorySegment> WAIT_STATUS =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_INT));
    private static final long SIGINFO_BYTES = 128;
    /** waitid's {@code siginfo_t}, per thread, for the same reason. */
    private static final ThreadLocal<MemorySegment> WAIT_SIGINFO =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SIGINFO_BYTES, 8));

    /**
     * Syscall numbers differ per architecture: {@code __NR_bpf}, {@code __NR_perf_event_open}, {@code __NR_gettid}
     * (called directly because glibc wraps it only since 2.30).
     */
    private record Numbers(long bpf, long perfEventOpen, long gettid) {}

    private static final Numbers NR = switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
        case "amd64", "x86_64" -> new Numbers(321, 298, 186);
        case "aarch64", "arm64" -> new Numbers(280, 241, 178);
        default -> null;
    };

    private static final MethodHandle SYSCALL = errnoHandle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle CLOSE = errnoHandle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = errnoHandle("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle IOCTL = errnoHandle("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = errnoHandle("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoHandle("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PTRACE = errnoHandle("ptrace",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle KILL = errnoHandle("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WAITPID = errnoHandle("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WAITID = errnoHandle("waitid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SCHED_SETSCHEDULER = errnoHandle("sched_setscheduler",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SCHED_GETSCHEDULER = errnoHandle("sched_getscheduler", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UNAME = errnoHandle("uname", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** {@code posix_spawn} returns the error number instead of setting errno. */
    private static final MethodHandle POSIX_SPAWN = LINKER.downcallHandle(symbol("posix_spawn"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle GETPID = LINKER.downcallHandle(symbol("getpid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SYSCONF = LINKER.downcallHandle(symbol("sysconf"), FunctionDescriptor.of(JAVA_LONG, JAVA_INT));

    private static final int SC_PAGESIZE = 30;

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("the C library has no " + name));
    }

    private static MethodHandle errnoHandle(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.downcallHandle(symbol(name), descriptor, all);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** Turns what an {@code invokeExact} may throw into an error: downcalls throw nothing checked. */
    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /**
     * {@code bpf(cmd, attr, size)}.
     *
     * @return the non-negative result: a new fd, or 0
     */
    static int bpf(Uapi.BpfCmd cmd, MemorySegment attr) throws BpfException {
        if (NR == null) {
            throw new BpfException(cmd.uapiName(), Errno.ENOSYS.number());
        }
        MemorySegment capture = CAPTURE.get();
        while (true) {
            long r;
            try {
                r = (long) SYSCALL.invokeExact(capture, NR.bpf(), (long) cmd.number(), attr.address(), attr.byteSize(), 0L, 0L);
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (r >= 0) {
                return (int) r;
            }
            int errno = errno(capture);
            if (errno != Errno.EINTR.number()) {
                throw new BpfException(cmd.uapiName(), errno);
            }
        }
    }

    /** {@code perf_event_open(attr, pid, cpu, group_fd, flags)}. */
    static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) throws SysException {
        if (NR == null) {
            throw new SysException("perf_event_open", Errno.ENOSYS.number());
        }
        MemorySegment capture = CAPTURE.get();
        long r;
        try {
            r = (long) SYSCALL.invokeExact(capture, NR.perfEventOpen(), attr.address(), (long) pid, (long) cpu, (long) groupFd, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (r < 0) {
            throw new SysException("perf_event_open", errno(capture));
        }
        return (int) r;
    }

    /** {@code close(fd)}; errors are ignored because the descriptor is gone either way on Linux. */
    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(CAPTURE.get(), fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code read(fd, buf, count)}, retried on EINTR; returns the byte count, 0 at end of file. */
    static long read(int fd, MemorySegment buf, String what) throws SysException {
        MemorySegment capture = CAPTURE.get();
        while (true) {
            long r;
            try {
                r = (long) READ.invokeExact(capture, fd, buf, buf.byteSize());
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (r >= 0) {
                return r;
            }
            int errno = errno(capture);
            if (errno != Errno.EINTR.number()) {
                throw new SysException("read " + what, errno);
            }
        }
    }

    /** {@code ioctl(fd, request, arg)}. */
    static void ioctl(int fd, long request, long arg, String what) throws SysException {
        MemorySegment capture = CAPTURE.get();
        int r;
        try {
            r = (int) IOCTL.invokeExact(capture, fd, request, arg);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (r < 0) {
            throw new SysException("ioctl " + what, errno(capture));
        }
    }

    /** {@code mmap(NULL, length, prot, flags, fd, offset)}, the result sized to {@code length}. */
    static MemorySegment mmap(long length, int prot, int flags, int fd, long offset, String what) throws SysException {
        MemorySegment capture = CAPTURE.get();
        long address;
        try {
            address = (long) MMAP.invokeExact(capture, 0L, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (address == -1L) {
            throw new SysException("mmap " + what, errno(capture));
        }
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    /** {@code munmap(addr, length)} of a segment returned by {@link #mmap}. */
    static void munmap(MemorySegment mapping) {
        try {
            int ignored = (int) MUNMAP.invokeExact(CAPTURE.get(), mapping.address(), mapping.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code ptrace(request, pid, addr, data)}. */
    static long ptrace(int request, int pid, long addr, long data, String what) throws SysException {
        MemorySegment capture = CAPTURE.get();
        long r;
        try {
            r = (long) PTRACE.invokeExact(capture, request, pid, addr, data);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (r == -1) {
            throw new SysException("ptrace " + what, errno(capture));
        }
        return r;
    }

    /** {@code sched_setscheduler(0, policy, &{priority})}: the calling thread's policy (Linux sets it per thread). */
    static void schedSetScheduler(int policy, int priority) throws SysException {
        MemorySegment capture = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment param = arena.allocateFrom(JAVA_INT, priority);
            int r;
            try {
                r = (int) SCHED_SETSCHEDULER.invokeExact(capture, 0, policy, param);
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (r < 0) {
                throw new SysException("sched_setscheduler", errno(capture));
            }
        }
    }

    /** {@code sched_getscheduler(0)}: the calling thread's policy. */
    static int schedGetScheduler() throws SysException {
        MemorySegment capture = CAPTURE.get();
        int r;
        try {
            r = (int) SCHED_GETSCHEDULER.invokeExact(capture, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (r < 0) {
            throw new SysException("sched_getscheduler", errno(capture));
        }
        return r;
    }

    /** {@code kill(pid, sig)}. */
    static void kill(int pid, int signal) throws SysException {
        MemorySegment capture = CAPTURE.get();
        int r;
        try {
            r = (int) KILL.invokeExact(capture, pid, signal);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (r < 0) {
            throw new SysException("kill", errno(capture));
        }
    }

    /**
     * {@code waitpid(pid, &status, options)}, retried on EINTR.
     *
     * @return the raw wait status, or -1 when {@code WNOHANG} found nothing to report
     */
    static int waitpid(int pid, int options) throws SysException {
        MemorySegment capture = CAPTURE.get();
        MemorySegment status = WAIT_STATUS.get();
        while (true) {
            int r;
            try {
                r = (int) WAITPID.invokeExact(capture, pid, status, options);
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (r > 0) {
                return status.get(JAVA_INT, 0);
            }
            if (r == 0) {
                return -1;
            }
            int errno = errno(capture);
            if (errno != Errno.EINTR.number()) {
                throw new SysException("waitpid", errno);
            }
        }
    }

    /** {@code P_PID}: waitid's id is a process (or thread) id. */
    private static final int P_PID = 1;
    /** siginfo_t: {@code si_code} at 8; for SIGCHLD, {@code si_pid} at 16 and {@code si_status} at 24 (x86-64 and arm64). */
    private static final long SI_CODE = 8;
    private static final long SI_PID = 16;
    private static final long SI_STATUS = 24;

    /**
     * {@code waitid(P_PID, pid, &info, options)}, retried on EINTR.
     *
     * @return {@code si_code << 32 | si_status} (unsigned), or -1 when {@code WNOHANG} found nothing to report
     */
    static long waitid(int pid, int options) throws SysException {
        MemorySegment capture = CAPTURE.get();
        MemorySegment info = WAIT_SIGINFO.get();
        while (true) {
            // With WNOHANG and nothing to report, waitid returns 0 and leaves si_pid as it found it.
            info.set(JAVA_INT, SI_PID, 0);
            int r;
            try {
                r = (int) WAITID.invokeExact(capture, P_PID, pid, info, options);
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (r == 0) {
                if (info.get(JAVA_INT, SI_PID) == 0) {
                    return -1;
                }
                return (long) info.get(JAVA_INT, SI_CODE) << 32 | Integer.toUnsignedLong(info.get(JAVA_INT, SI_STATUS));
            }
            int errno = errno(capture);
            if (errno != Errno.EINTR.number()) {
                throw new SysException("waitid", errno);
            }
        }
    }

    /** {@code posix_spawn} of {@code argv[0]} with {@code argv}, an empty environment and the caller's fds. */
    static int posixSpawn(String... argv) throws SysException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pid = arena.allocate(JAVA_INT);
            MemorySegment args = arena.allocate(ADDRESS, argv.length + 1L);
            for (int i = 0; i < argv.length; i++) {
                args.setAtIndex(ADDRESS, i, arena.allocateFrom(argv[i]));
            }
            MemorySegment env = arena.allocate(ADDRESS);
            int r;
            try {
                r = (int) POSIX_SPAWN.invokeExact(pid, arena.allocateFrom(argv[0]), MemorySegment.NULL,
                        MemorySegment.NULL, args, env);
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (r != 0) {
                throw new SysException("posix_spawn " + argv[0], r);
            }
            return pid.get(JAVA_INT, 0);
        }
    }

    /** The kernel's {@code struct utsname}, as far as Loupe cares. */
    public record Uname(String sysname, String release, String machine) {}

    /** {@code uname(2)}. */
    public static Uname uname() throws SysException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Uapi.UTSNAME);
            MemorySegment capture = CAPTURE.get();
            int r;
            try {
                r = (int) UNAME.invokeExact(capture, buf);
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (r < 0) {
                throw new SysException("uname", errno(capture));
            }
            return new Uname(field(buf, "sysname"), field(buf, "release"), field(buf, "machine"));
        }
    }

    private static String field(MemorySegment utsname, String name) {
        long offset = Uapi.UTSNAME.byteOffset(MemoryLayout.PathElement.groupElement(name));
        return utsname.getString(offset, StandardCharsets.UTF_8);
    }

    /** {@code getpid()}: the process id (the kernel's tgid). */
    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code gettid()}: the calling thread's id. */
    public static int gettid() throws SysException {
        if (NR == null) {
            throw new SysException("gettid", Errno.ENOSYS.number());
        }
        try {
            return (int) (long) SYSCALL.invokeExact(CAPTURE.get(), NR.gettid(), 0L, 0L, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code sysconf(_SC_PAGESIZE)}. */
    public static long pageSize() {
        try {
            return (long) SYSCONF.invokeExact(SC_PAGESIZE);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
