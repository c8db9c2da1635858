package dev.loupe.decoder;

import dev.loupe.probegen.CaptureRecord;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The target's memory as the capture records of one process saw it: every chunk the program read, by address.
 * Chunks of all frames go together, since the program reads each (address, type) once per snapshot, for whichever
 * frame met it first. A read that failed is remembered with its errno, so a value can say why it is missing.
 */
final class Memory {
    private final TreeMap<Long, byte[]> chunks = new TreeMap<>(Long::compareUnsigned);
    private final Map<Long, Integer> failures = new TreeMap<>(Long::compareUnsigned);

    /**
     * Adds the chunks of one capture record.
     *
     * @throws IllegalArgumentException when the record's chunks run past its end
     */
    void add(ByteBuffer record) {
        ByteBuffer b = record.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long dataBytes = Integer.toUnsignedLong(b.getInt(CaptureRecord.DATA_BYTES));
        if (CaptureRecord.HEADER_BYTES + dataBytes > b.limit()) {
            throw new IllegalArgumentException("capture record of " + b.limit() + " bytes says " + dataBytes + " bytes of chunks follow");
        }
        int at = CaptureRecord.HEADER_BYTES;
        int end = (int) (CaptureRecord.HEADER_BYTES + dataBytes);
        while (at + CaptureRecord.CHUNK_HEADER_BYTES <= end) {
            long address = b.getLong(at);
            int length = b.getInt(at + 12);
            at += CaptureRecord.CHUNK_HEADER_BYTES;
            if (length < 0) {
                failures.put(address, length);
                continue;
            }
            if (at + (long) length > end) {
                throw new IllegalArgumentException("a chunk of " + length + " bytes at 0x" + Long.toHexString(address)
                        + " runs past the end of its capture record");
            }
            byte[] bytes = new byte[length];
            b.get(at, bytes);
            byte[] old = chunks.get(address);
            if (old == null || old.length < bytes.length) {
                chunks.put(address, bytes);
            }
            at += (length + 7) & ~7;
        }
    }

    /** The {@code length} bytes at {@code address}, if one chunk holds them all. */
    ByteBuffer read(long address, long length) {
        if (length < 0 || length > Integer.MAX_VALUE) {
            return null;
        }
        Map.Entry<Long, byte[]> e = holding(address, length);
        if (e == null) {
            return null;
        }
        return ByteBuffer.wrap(e.getValue(), (int) (address - e.getKey()), (int) length).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** How many bytes from {@code address} on were read, within one chunk (0 if none). */
    long available(long address) {
        Map.Entry<Long, byte[]> e = holding(address, 0);
        return e == null ? 0 : e.getValue().length - (address - e.getKey());
    }

    /**
     * A chunk holding {@code [address, address + length)}: the nearest one below the address if it does, else the
     * one that reaches furthest beyond it (chunks overlap: a struct read for a pointer to it, inside a slice's
     * elements read before). {@code length} 0 asks for the furthest reach, for {@link #available}.
     */
    private Map.Entry<Long, byte[]> holding(long address, long length) {
        // Most reads are of a chunk's own value, which the nearest chunk below holds.
        Map.Entry<Long, byte[]> nearest = chunks.floorEntry(address);
        if (nearest != null && length > 0) {
            long offset = address - nearest.getKey();
            // The comparator is unsigned: far apart, the difference can come out negative.
            if (offset >= 0 && offset <= nearest.getValue().length - length) {
                return nearest;
            }
        }
        Map.Entry<Long, byte[]> best = null;
        for (Map.Entry<Long, byte[]> e : chunks.headMap(address, true).descendingMap().entrySet()) {
            long offset = address - e.getKey();
            if (Long.compareUnsigned(offset, CaptureRecord.MAX_CHUNK_BYTES) > 0) {
                break;
            }
            if (offset >= 0 && offset + length <= e.getValue().length
                    && (best == null || e.getKey() + e.getValue().length > best.getKey() + best.getValue().length)) {
                best = e;
            }
        }
        return best;
    }

    /** The u64 at {@code address}, if read. */
    OptionalLong word(long address) {
        ByteBuffer b = read(address, 8);
        return b == null ? OptionalLong.empty() : OptionalLong.of(b.getLong(0));
    }

    /** The errno of a failed read at {@code address}, or 0. */
    int failure(long address) {
        return failures.getOrDefault(address, 0);
    }
}
