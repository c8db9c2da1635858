package dev.loupe.agent.doctor;

import dev.loupe.agent.internal.sys.SysException;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * Runs every check of {@code loupe doctor}, in a fixed order. Each check really does what a snapshot will do,
 * cleans up after itself, and never throws: failures come back as findings with a remedy.
 */
public final class Doctor {
    private Doctor() {}

    static final List<Check> CHECKS = List.of(
            new KernelCheck(),
            new BpfCheck(),
            new RingBufferCheck(),
            new UprobeCheck(),
            new TaskIteratorCheck(),
            new BtfCheck(),
            new PtraceCheck(),
            new PrivilegesCheck(),
            new GoToolchainCheck());

    /** Runs all checks; one finding per check, in the order above. */
    public static List<Finding> run() {
        Host host = new Host();
        return CHECKS.stream().map(check -> attempt(check, host)).toList();
    }

    static Finding attempt(Check check, Host host) {
        try {
            return check.run(host);
        } catch (Exception | LinkageError e) {
            // LinkageError: a missing libc symbol or a failed FFM set-up must still print as one line.
            return Finding.missing(check.name(), describe(e), check.remedy(e), check.required());
        }
    }

    /** A one-line account of a failure, without a stack trace. */
    static String describe(Throwable failure) {
        return switch (failure) {
            case SysException e -> e.getMessage();
            case NoSuchFileException e -> "no " + e.getFile();
            case AccessDeniedException e -> "no permission to read " + e.getFile();
            case LinkageError e -> "native call unavailable: " + e.getMessage();
            default -> failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
        };
    }
}
