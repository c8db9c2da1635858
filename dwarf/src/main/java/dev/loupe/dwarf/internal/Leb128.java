package dev.loupe.dwarf.internal;

/**
 * LEB128, the variable-length integers of DWARF (DWARF 5 §7.6) and of Go's pclntab: seven bits a byte, low
 * first, the high bit set on every byte but the last. At most ten bytes; bits beyond 64 are dropped.
 */
public final class Leb128 {
    private static final int MAX_BYTES = 10;

    private Leb128() {}

    /** A byte source: the unsigned byte at an offset. */
    @FunctionalInterface
    public interface Bytes {
        int at(long offset);
    }

    /** A number that does not end within {@value #MAX_BYTES} bytes. */
    public static final class TooLongException extends Exception {
        private static final long serialVersionUID = 1L;

        TooLongException() {
            super("LEB128 number longer than " + MAX_BYTES + " bytes", null, false, false);
        }
    }

    /** Decodes an unsigned number at {@code pos[0]} and advances {@code pos[0]} past it. */
    public static long unsigned(Bytes bytes, long[] pos) throws TooLongException {
        long value = 0;
        long p = pos[0];
        for (int i = 0, shift = 0; i < MAX_BYTES; i++, shift += 7) {
            int b = bytes.at(p++);
            if (shift < 64) {
                value |= (long) (b & 0x7f) << shift;
            }
            if ((b & 0x80) == 0) {
                pos[0] = p;
                return value;
            }
        }
        throw new TooLongException();
    }

    /** Decodes a signed (two's complement, sign-extended from the last byte's bit 6) number, likewise. */
    public static long signed(Bytes bytes, long[] pos) throws TooLongException {
        long value = 0;
        long p = pos[0];
        for (int i = 0, shift = 0; i < MAX_BYTES; i++, shift += 7) {
            int b = bytes.at(p++);
            if (shift < 64) {
                value |= (long) (b & 0x7f) << shift;
            }
            if ((b & 0x80) == 0) {
                if (shift + 7 < 64 && (b & 0x40) != 0) {
                    value |= -1L << (shift + 7);
                }
                pos[0] = p;
                return value;
            }
        }
        throw new TooLongException();
    }
}
