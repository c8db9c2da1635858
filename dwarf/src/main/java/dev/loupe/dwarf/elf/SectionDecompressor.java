package dev.loupe.dwarf.elf;

import dev.loupe.dwarf.internal.ByteView;
import io.airlift.compress.v3.MalformedInputException;
import io.airlift.compress.v3.zstd.ZstdJavaDecompressor;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses debug sections: {@code SHF_COMPRESSED} ones (an {@code Elf64_Chdr} of type
 * {@code ELFCOMPRESS_ZLIB} or {@code ELFCOMPRESS_ZSTD}, then the stream) and the older GNU
 * {@code .zdebug_*} ones ("ZLIB", a big-endian 64-bit size, then a zlib stream).
 *
 * <p>The declared size is checked against what the compressed bytes could possibly hold
 * before anything is allocated, so a corrupt header cannot exhaust the heap.
 */
final class SectionDecompressor {
    static final byte[] ZLIB_GNU_MAGIC = "ZLIB".getBytes(StandardCharsets.US_ASCII);

    private static final int CHDR_SIZE = 24;
    private static final int ELFCOMPRESS_ZLIB = 1;
    private static final int ELFCOMPRESS_ZSTD = 2;
    /** Deflate cannot expand more than 1032:1; zstd's worst case is larger but far below this. */
    private static final long MAX_RATIO = 1L << 16;
    /** Largest section held in one Java array. */
    private static final long MAX_SIZE = Integer.MAX_VALUE - 64;

    private SectionDecompressor() {}

    static ByteView decompress(ByteView raw, boolean shfCompressed) {
        int type;
        long size;
        long streamOff;
        if (shfCompressed) {
            raw.check(0, CHDR_SIZE);
            type = (int) raw.u32(0);
            size = raw.u64(8);
            streamOff = CHDR_SIZE;
        } else {
            type = ELFCOMPRESS_ZLIB;
            size = raw.u64be(4);
            streamOff = 12;
        }
        long compressed = raw.size() - streamOff;
        if (size < 0 || size > MAX_SIZE || size > Math.max(compressed, 1) * MAX_RATIO) {
            throw raw.error(0, "declared uncompressed size " + Long.toUnsignedString(size) + " is implausible for "
                    + compressed + " compressed bytes");
        }
        byte[] out = new byte[(int) size];
        ByteView stream = raw.slice(streamOff, compressed, raw.name());
        switch (type) {
            case ELFCOMPRESS_ZLIB -> inflate(stream, out);
            case ELFCOMPRESS_ZSTD -> unzstd(stream, out);
            default -> throw raw.error(0, "unknown compression type " + type + " (expected 1 = zlib or 2 = zstd)");
        }
        return new ByteView(MemorySegment.ofArray(out), raw.file(), raw.name() + " (decompressed)", -1);
    }

    private static void inflate(ByteView stream, byte[] out) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(stream.segment().asByteBuffer());
            int done = 0;
            int n;
            do {
                n = inflater.inflate(out, done, out.length - done);
                done += n;
            } while (n > 0 && done < out.length);
            if (!inflater.finished() && done == out.length && inflater.inflate(new byte[1]) > 0) {
                throw stream.error(inflater.getBytesRead(), "zlib stream holds more than the " + out.length + " bytes the header declares");
            }
            if (done != out.length || !inflater.finished()) {
                throw stream.error(inflater.getBytesRead(), "zlib stream ends after " + done + " of the " + out.length
                        + " bytes the header declares");
            }
        } catch (DataFormatException e) {
            throw stream.error(inflater.getBytesRead(), "corrupt zlib stream: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    private static void unzstd(ByteView stream, byte[] out) {
        try {
            int n = new ZstdJavaDecompressor().decompress(stream.segment(), MemorySegment.ofArray(out));
            if (n != out.length) {
                throw stream.error(0, "zstd stream gives " + n + " bytes, the header declares " + out.length);
            }
        } catch (MalformedInputException e) {
            throw stream.error(e.getOffset(), "corrupt zstd stream: " + e.getMessage());
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw stream.error(0, "corrupt zstd stream: " + e);
        }
    }
}
