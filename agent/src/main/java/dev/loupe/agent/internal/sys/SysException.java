package dev.loupe.agent.internal.sys;

import java.io.Serial;

/**
 * A failed system call: the operation (e.g. {@code perf_event_open}, {@code BPF_MAP_CREATE}), the {@code errno}, and
 * for the usual causes a hint saying what is missing.
 */
public class SysException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;

    public SysException(String operation, int errno) {
        this(operation, errno, message(operation, errno));
    }

    protected SysException(String operation, int errno, String message) {
        super(message);
        this.operation = operation;
        this.errno = errno;
    }

    /** The call or command that failed. */
    public String operation() {
        return operation;
    }

    /** The {@code errno} it returned. */
    public int errno() {
        return errno;
    }

    /** True when the errno is this one. */
    public boolean is(Errno e) {
        return errno == e.number();
    }

    private static String message(String operation, int errno) {
        String hint = hint(operation, errno);
        return operation + ": " + Errno.describe(errno) + (hint.isEmpty() ? "" : ": " + hint);
    }

    /** What usually causes this errno for this operation. */
    static String hint(String operation, int errno) {
        boolean denied = errno == Errno.EPERM.number() || errno == Errno.EACCES.number();
        if (denied && operation.startsWith("BPF_")) {
            return "needs root or CAP_BPF (and CAP_PERFMON for tracing programs)";
        }
        if (denied && operation.startsWith("perf_event_open")) {
            return "needs root or CAP_PERFMON (CAP_SYS_ADMIN to create uprobes on kernels patched since 2025)";
        }
        if (denied && operation.startsWith("ptrace")) {
            return "needs CAP_SYS_PTRACE, or a kernel.yama.ptrace_scope that allows tracing this process";
        }
        if (errno == Errno.ENOSYS.number()) {
            return "this kernel does not have the system call";
        }
        return "";
    }
}
