package dev.loupe.decoder;

/**
 * Goroutine status words ({@code runtime/runtime2.go}'s {@code _G*} constants, unchanged since Go 1.14) and the
 * names {@code runtime.Stack} prints for them ({@code gStatusStrings}).
 */
final class GoStatus {
    static final int IDLE = 0;
    static final int RUNNABLE = 1;
    static final int RUNNING = 2;
    static final int SYSCALL = 3;
    static final int WAITING = 4;
    static final int DEAD = 6;
    /** {@code _Gscan}: set while the GC scans the stack, on top of the status. */
    static final int SCAN = 0x1000;

    private static final String[] NAMES = {"idle", "runnable", "running", "syscall", "waiting", "moribund", "dead",
            "enqueue", "copystack", "preempted", "leaked", "waiting for cgo callback"};

    private GoStatus() {}

    static String name(int status) {
        int s = status & ~SCAN;
        return s >= 0 && s < NAMES.length ? NAMES[s] : "status " + s;
    }
}
