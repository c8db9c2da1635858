package dev.loupe.dwarf;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A binary could not be read: it is not a file, not readable, not a 64-bit little-endian ELF
 * file, or its contents are truncated or inconsistent. The message names the file, and where
 * known the section and the offset, so a user can tell a bad file from a Loupe bug.
 *
 * <p>Every reader in this module throws only this type for bad input; a parser bug that
 * surfaces as another runtime exception is wrapped into it at the API boundary (with the
 * original as the cause).
 */
public final class BinaryFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String section;
    private final long offset;

    /**
     * @param file    the binary
     * @param section the section or table being read ("ELF header", ".gopclntab"...), or null
     * @param offset  the offset of the bad data, in the file when the section is file-backed,
     *                else inside the (decompressed) section; -1 when not applicable
     * @param message what is wrong, without the location (it is added here)
     */
    public BinaryFormatException(Path file, String section, long offset, String message) {
        this(file, section, offset, message, null);
    }

    public BinaryFormatException(Path file, String section, long offset, String message, Throwable cause) {
        super(format(file, section, offset, message), cause);
        this.file = file;
        this.section = section;
        this.offset = offset;
    }

    private static String format(Path file, String section, long offset, String message) {
        StringBuilder s = new StringBuilder().append(file).append(": ");
        if (section != null) {
            s.append(section);
            if (offset >= 0) {
                s.append(" at offset 0x").append(Long.toHexString(offset));
            }
            s.append(": ");
        } else if (offset >= 0) {
            s.append("at offset 0x").append(Long.toHexString(offset)).append(": ");
        }
        return s.append(message).toString();
    }

    public Path file() {
        return file;
    }

    public Optional<String> section() {
        return Optional.ofNullable(section);
    }

    /** The offset of the bad data (see the constructor), or -1. */
    public long offset() {
        return offset;
    }
}
