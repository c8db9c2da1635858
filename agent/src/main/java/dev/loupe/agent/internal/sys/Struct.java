package dev.loupe.agent.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A zeroed native instance of one of the {@link Uapi} layouts whose fields are set and read by their C names,
 * with dotted paths into nested groups (e.g. {@code target.iter.iter_info}). Values are range-checked against
 * the field's width, so a wrong cast fails here instead of in the kernel.
 */
final class Struct {
    private final MemoryLayout layout;
    private final MemorySegment segment;

    Struct(Arena arena, MemoryLayout layout) {
        this.layout = layout;
        this.segment = arena.allocate(layout);
    }

    MemorySegment segment() {
        return segment;
    }

    /** Sets an integer field; negative values are allowed where C has a signed or -1 sentinel. */
    Struct set(String path, long value) {
        MemoryLayout.PathElement[] p = path(path);
        long offset = layout.byteOffset(p);
        switch ((int) layout.select(p).byteSize()) {
            case 1 -> segment.set(ValueLayout.JAVA_BYTE, offset, (byte) check(path, value, 8));
            case 2 -> segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, offset, (short) check(path, value, 16));
            case 4 -> segment.set(ValueLayout.JAVA_INT_UNALIGNED, offset, (int) check(path, value, 32));
            case 8 -> segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, value);
            default -> throw new IllegalArgumentException(path + " is not an integer field");
        }
        return this;
    }

    /** Sets a pointer field ({@code __aligned_u64} in bpf_attr) to a segment's address. */
    Struct set(String path, MemorySegment pointer) {
        return set(path, pointer.address());
    }

    /** Sets a {@code char[]} field, truncated to leave a terminating NUL. */
    Struct setString(String path, String value) {
        MemoryLayout.PathElement[] p = path(path);
        if (!(layout.select(p) instanceof SequenceLayout array)) {
            throw new IllegalArgumentException(path + " is not a char array");
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int n = (int) Math.min(bytes.length, array.elementCount() - 1);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, layout.byteOffset(p), n);
        return this;
    }

    /** Reads an unsigned integer field. */
    long get(String path) {
        MemoryLayout.PathElement[] p = path(path);
        long offset = layout.byteOffset(p);
        return switch ((int) layout.select(p).byteSize()) {
            case 1 -> segment.get(ValueLayout.JAVA_BYTE, offset) & 0xffL;
            case 2 -> segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset) & 0xffffL;
            case 4 -> segment.get(ValueLayout.JAVA_INT_UNALIGNED, offset) & 0xffff_ffffL;
            case 8 -> segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            default -> throw new IllegalArgumentException(path + " is not an integer field");
        };
    }

    /** Reads a {@code char[]} field up to its NUL. */
    String getString(String path) {
        MemoryLayout.PathElement[] p = path(path);
        MemorySegment chars = segment.asSlice(layout.byteOffset(p), layout.select(p).byteSize());
        byte[] bytes = chars.toArray(ValueLayout.JAVA_BYTE);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    private static MemoryLayout.PathElement[] path(String dotted) {
        return Arrays.stream(dotted.split("\\.")).map(MemoryLayout.PathElement::groupElement)
                .toArray(MemoryLayout.PathElement[]::new);
    }

    private static long check(String path, long value, int bits) {
        if (value < -(1L << (bits - 1)) || value >= 1L << bits) {
            throw new IllegalArgumentException(value + " does not fit the " + bits + "-bit field " + path);
        }
        return value;
    }
}
