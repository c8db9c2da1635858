package dev.loupe.dwarf.internal;

import dev.loupe.dwarf.BinaryFormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A named, bounds-checked window of little-endian bytes: a slice of the memory-mapped file or
 * a decompressed section. Offsets are relative to the window; errors report the file offset
 * when the window is file-backed, so they match {@code readelf} and {@code xxd}.
 */
public final class ByteView {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Longest C string read before giving up: symbol and file names are far shorter. */
    private static final int MAX_CSTRING = 1 << 20;

    private final MemorySegment bytes;
    private final Path file;
    private final String name;
    private final long fileOffset;

    /**
     * @param bytes      the window
     * @param file       the binary, for error messages
     * @param name       what the window holds, e.g. ".gopclntab"
     * @param fileOffset the file offset of byte 0, or -1 for bytes that are not in the file as is
     */
    public ByteView(MemorySegment bytes, Path file, String name, long fileOffset) {
        this.bytes = bytes;
        this.file = file;
        this.name = name;
        this.fileOffset = fileOffset;
    }

    public long size() {
        return bytes.byteSize();
    }

    public String name() {
        return name;
    }

    public Path file() {
        return file;
    }

    /** The file offset of byte 0, or -1 when the bytes were decompressed. */
    public long fileOffset() {
        return fileOffset;
    }

    /** The underlying memory, for loops that check bounds once themselves. */
    public MemorySegment segment() {
        return bytes;
    }

    /** A sub-window {@code [off, off+len)} under a new name. */
    public ByteView slice(long off, long len, String sliceName) {
        check(off, len);
        return new ByteView(bytes.asSlice(off, len), file, sliceName, fileOffset < 0 ? -1 : fileOffset + off);
    }

    /** A sub-window from {@code off} to the end, keeping the name. */
    public ByteView from(long off) {
        return slice(off, size() - Math.min(Math.max(off, 0), size()), name);
    }

    public int u8(long off) {
        check(off, 1);
        return Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, off));
    }

    public int u16(long off) {
        check(off, 2);
        return Short.toUnsignedInt(bytes.get(U16, off));
    }

    /** An unsigned 32-bit value. */
    public long u32(long off) {
        check(off, 4);
        return Integer.toUnsignedLong(bytes.get(U32, off));
    }

    /** A signed 32-bit value (or an unsigned one the caller treats as raw bits). */
    public int i32(long off) {
        check(off, 4);
        return bytes.get(U32, off);
    }

    public long u64(long off) {
        check(off, 8);
        return bytes.get(U64, off);
    }

    public long u32be(long off) {
        check(off, 4);
        return Integer.toUnsignedLong(bytes.get(U32_BE, off));
    }

    public long u64be(long off) {
        check(off, 8);
        return bytes.get(U64_BE, off);
    }

    /** A target word of {@code ptrSize} (4 or 8) bytes, zero-extended. */
    public long word(long off, int ptrSize) {
        return ptrSize == 8 ? u64(off) : u32(off);
    }

    /** A copy of {@code len} bytes. */
    public byte[] bytes(long off, int len) {
        check(off, len);
        return bytes.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
    }

    /** True when the bytes at {@code off} equal {@code expected}. */
    public boolean startsWith(long off, byte[] expected) {
        if (off < 0 || off > size() - expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (bytes.get(ValueLayout.JAVA_BYTE, off + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** The NUL-terminated UTF-8 string at {@code off}; the NUL must lie inside the window. */
    public String cString(long off) {
        check(off, 1);
        long limit = Math.min(size(), off + MAX_CSTRING);
        for (long end = off; end < limit; end++) {
            if (bytes.get(ValueLayout.JAVA_BYTE, end) == 0) {
                return new String(bytes.asSlice(off, end - off).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            }
        }
        throw error(off, "string not terminated within " + (limit - off) + " bytes");
    }

    /** A UTF-8 string of {@code len} bytes. */
    public String string(long off, long len) {
        if (len > Integer.MAX_VALUE - 16) {
            throw error(off, "string length " + len + " is implausible");
        }
        return new String(bytes(off, (int) len), StandardCharsets.UTF_8);
    }

    /**
     * Decodes an unsigned LEB128 varint at {@code off}; returns the value, and the offset after
     * it in {@code next[0]}.
     */
    public long uvarint(long off, long[] next) {
        next[0] = off;
        try {
            return Leb128.unsigned(this::u8, next);
        } catch (Leb128.TooLongException e) {
            throw error(off, "varint longer than 10 bytes");
        }
    }

    /**
     * Decodes a signed LEB128 number at {@code off} (DWARF 5 §7.6); returns the value, and the
     * offset after it in {@code next[0]}.
     */
    public long svarint(long off, long[] next) {
        next[0] = off;
        try {
            return Leb128.signed(this::u8, next);
        } catch (Leb128.TooLongException e) {
            throw error(off, "varint longer than 10 bytes");
        }
    }

    /** Throws unless {@code [off, off+len)} lies inside the window. */
    public void check(long off, long len) {
        if (off < 0 || len < 0 || off > size() - len) {
            throw error(off, "read of " + len + " bytes outside " + describeBounds());
        }
    }

    private String describeBounds() {
        return fileOffset < 0
                ? "the " + size() + " bytes of " + name
                : name + " (file bytes 0x" + Long.toHexString(fileOffset) + "-0x" + Long.toHexString(fileOffset + size()) + ")";
    }

    /** An error at window offset {@code off}, located in the file when possible. */
    public BinaryFormatException error(long off, String message) {
        long at = off < 0 ? -1 : fileOffset < 0 ? off : fileOffset + off;
        return new BinaryFormatException(file, name, at, message);
    }
}
