package dev.loupe.decoder;

/**
 * One goroutine's state, in Go's own words. Nullable fields are unknown or absent.
 *
 * @param goid          the goroutine id
 * @param status        as {@code runtime.Stack} prints it: "running", "runnable", "waiting", "syscall", ...
 * @param waitReason    Go's wait reason string, e.g. "chan receive"; null when not waiting
 * @param waitSinceNs   when it started waiting, in Unix nanoseconds; null when unknown
 * @param createdBy     the function whose {@code go} statement created it; null for goroutine 1
 * @param createdByFile the file of that {@code go} statement
 * @param createdByLine the line of that {@code go} statement (0 when unknown)
 * @param parentGoid    the goroutine that created it; null when unknown
 * @param threadId      the OS thread (Linux tid) running it; null unless running or in a syscall
 */
public record GoroutineInfo(long goid, String status, String waitReason, Long waitSinceNs,
                            String createdBy, String createdByFile, int createdByLine,
                            Long parentGoid, Long threadId) {}
