package dev.loupe.agent.internal.sys;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The owner of one kernel file descriptor: a BPF map, program, link or iterator, or a perf event. Closing it
 * closes the descriptor exactly once; the kernel object goes away when its last reference does.
 */
public final class Fd implements AutoCloseable {
    private final AtomicInteger raw;
    private final String what;

    private Fd(int raw, String what) {
        this.raw = new AtomicInteger(raw);
        this.what = what;
    }

    /** Takes ownership of a descriptor just returned by the kernel. */
    static Fd own(int raw, String what) {
        if (raw < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + raw);
        }
        return new Fd(raw, what);
    }

    /** The descriptor number, for system calls. */
    public int raw() {
        int fd = raw.get();
        if (fd < 0) {
            throw new IllegalStateException(what + " is closed");
        }
        return fd;
    }

    /** Closes the descriptor; later calls do nothing. */
    @Override
    public void close() {
        int fd = raw.getAndSet(-1);
        if (fd >= 0) {
            Syscalls.close(fd);
        }
    }

    @Override
    public String toString() {
        int fd = raw.get();
        return what + (fd < 0 ? " (closed)" : " (fd " + fd + ")");
    }
}
