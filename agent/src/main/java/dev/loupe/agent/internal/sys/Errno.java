package dev.loupe.agent.internal.sys;

import java.util.Optional;

/** The {@code errno} values the BPF, perf and ptrace calls return, with the C library's wording ({@code asm-generic/errno-base.h}). */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    ESRCH(3, "No such process"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    E2BIG(7, "Argument list too long"),
    EBADF(9, "Bad file descriptor"),
    ECHILD(10, "No child processes"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    ENODEV(19, "No such device"),
    EINVAL(22, "Invalid argument"),
    ENOSPC(28, "No space left on device"),
    ENOSYS(38, "Function not implemented"),
    EOPNOTSUPP(95, "Operation not supported"),
    /** The kernel-internal {@code ENOTSUPP} that leaks out of some BPF paths. */
    ENOTSUPP(524, "Operation not supported by this kernel");

    private final int number;
    private final String text;

    Errno(int number, String text) {
        this.number = number;
        this.text = text;
    }

    /** The numeric value. */
    public int number() {
        return number;
    }

    /** The value with this number, if listed here. */
    public static Optional<Errno> of(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** E.g. {@code EPERM (Operation not permitted)}, or {@code errno 200}. */
    public static String describe(int number) {
        return of(number).map(e -> e.name() + " (" + e.text + ")").orElse("errno " + number);
    }
}
