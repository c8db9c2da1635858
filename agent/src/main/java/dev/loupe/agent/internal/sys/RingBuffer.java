package dev.loupe.agent.internal.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * The consumer side of a {@code BPF_MAP_TYPE_RINGBUF}, read through {@code mmap(2)} as the kernel lays it out:
 * <pre>
 * offset 0            consumer page (read-write): u64 consumer_pos
 * offset page         producer page (read-only):  u64 producer_pos
 * offset 2 * page     data, size bytes, mapped twice in a row so that a record that wraps is contiguous
 * record:             u32 len | BPF_RINGBUF_BUSY_BIT (1 &lt;&lt; 31) | BPF_RINGBUF_DISCARD_BIT (1 &lt;&lt; 30); u32 pg_off;
 *                     len bytes of data; padded to 8 bytes
 * </pre>
 * Positions only grow; {@code pos & (size - 1)} is the offset in the data area. A record with the busy bit is
 * still being written, and everything after it waits; a discarded record is skipped. The consumer position is
 * published with release semantics after each record, so the kernel can reuse the space. Not thread-safe: one
 * consumer per ring buffer.
 */
public final class RingBuffer implements AutoCloseable {
    static final int BUSY_BIT = 1 << 31;
    static final int DISCARD_BIT = 1 << 30;
    /** {@code BPF_RINGBUF_HDR_SZ}. */
    static final int HEADER_BYTES = 8;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment consumerPos;
    private final MemorySegment producerPos;
    private final MemorySegment data;
    private final long mask;
    private final Runnable unmap;
    private boolean closed;

    RingBuffer(MemorySegment consumerPos, MemorySegment producerPos, MemorySegment data, long size, Runnable unmap) {
        if (Long.bitCount(size) != 1 || data.byteSize() < 2 * size) {
            throw new IllegalArgumentException("ring buffer size " + size + " must be a power of two mapped twice");
        }
        this.consumerPos = consumerPos;
        this.producerPos = producerPos;
        this.data = data;
        this.mask = size - 1;
        this.unmap = unmap;
    }

    /**
     * Maps a ring buffer map's pages.
     *
     * @param map  the map, which the caller keeps owning (and must keep open while this is in use)
     * @param size the map's {@code max_entries}: a power of two and a multiple of the page size
     */
    public static RingBuffer map(Fd map, long size) throws SysException {
        long page = Syscalls.pageSize();
        MemorySegment consumer = Syscalls.mmap(page, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, map.raw(), 0,
                "ring buffer consumer page");
        MemorySegment producer;
        try {
            producer = Syscalls.mmap(page + 2 * size, Mman.PROT_READ, Mman.MAP_SHARED, map.raw(), page,
                    "ring buffer data");
        } catch (SysException e) {
            Syscalls.munmap(consumer);
            throw e;
        }
        return new RingBuffer(consumer, producer, producer.asSlice(page), size, () -> {
            Syscalls.munmap(producer);
            Syscalls.munmap(consumer);
        });
    }

    /**
     * Hands every complete record to {@code sink}, in order, and stops at the first one still being written.
     * The segment is a read-only view of the mapping, valid only during the call.
     *
     * @return the number of records delivered
     */
    public int poll(Consumer<MemorySegment> sink) {
        if (closed) {
            throw new IllegalStateException("ring buffer is closed");
        }
        long consumer = (long) LONG.getAcquire(consumerPos, 0L);
        long producer = (long) LONG.getAcquire(producerPos, 0L);
        int delivered = 0;
        while (consumer < producer) {
            long offset = consumer & mask;
            int header = (int) INT.getAcquire(data, offset);
            if ((header & BUSY_BIT) != 0) {
                break;
            }
            long length = header & ~(BUSY_BIT | DISCARD_BIT);
            consumer += (length + HEADER_BYTES + 7) & ~7L;
            if ((header & DISCARD_BIT) == 0) {
                sink.accept(data.asSlice(offset + HEADER_BYTES, length).asReadOnly());
                delivered++;
            }
            LONG.setRelease(consumerPos, 0L, consumer);
        }
        return delivered;
    }

    /** Unmaps the pages; the map itself stays open. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            unmap.run();
        }
    }

    /** {@code sys/mman.h} constants, the same on x86-64 and arm64. */
    private static final class Mman {
        static final int PROT_READ = 0x1;
        static final int PROT_WRITE = 0x2;
        static final int MAP_SHARED = 0x01;
    }
}
