package dev.loupe.agent.doctor;

import dev.loupe.agent.internal.sys.Errno;
import dev.loupe.agent.internal.sys.SysException;
import dev.loupe.agent.internal.sys.VerifierException;

/**
 * One line of {@code loupe doctor}. A check tries the real thing and returns its finding; when it throws instead,
 * {@link Doctor} turns the exception into a MISSING finding whose remedy comes from {@link #remedy}.
 */
sealed interface Check permits KernelCheck, BpfCheck, RingBufferCheck, UprobeCheck, TaskIteratorCheck, BtfCheck,
        PtraceCheck, PrivilegesCheck, GoToolchainCheck {

    String BPF_PRIVILEGE = "run as root, or grant CAP_BPF and CAP_PERFMON (systemd: AmbientCapabilities=CAP_BPF CAP_PERFMON)";
    String PTRACE_PRIVILEGE = "run as root, or grant CAP_SYS_PTRACE (systemd: AmbientCapabilities=CAP_SYS_PTRACE)";
    String BPF_KERNEL = "use a kernel ≥ 5.8 built with CONFIG_BPF_SYSCALL=y";

    /** The short name shown in the first column, e.g. "ring buffer". */
    String name();

    /** Whether a snapshot cannot work without this. */
    boolean required();

    /** Tries the real thing. Must release every fd, mapping and process it creates, whatever happens. */
    Finding run(Host host) throws Exception;

    /** What to do when {@link #run} failed and nothing more specific is known about the failure. */
    String fallbackRemedy();

    /** What to do when {@link #run} threw {@code failure}. */
    default String remedy(Throwable failure) {
        return switch (failure) {
            case VerifierException v -> "the kernel rejected Loupe's test program; " + BPF_KERNEL;
            case SysException s when s.is(Errno.EPERM) || s.is(Errno.EACCES) ->
                    s.operation().startsWith("ptrace") ? PTRACE_PRIVILEGE : BPF_PRIVILEGE;
            case SysException s when s.is(Errno.ENOSYS) -> BPF_KERNEL;
            case IllegalCallerException e -> "start the JVM with --enable-native-access=ALL-UNNAMED";
            case LinkageError e -> "Loupe's agent needs Linux with glibc on x86-64 or arm64";
            default -> fallbackRemedy();
        };
    }
}
