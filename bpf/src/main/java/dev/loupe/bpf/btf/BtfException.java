package dev.loupe.bpf.btf;

import java.io.Serial;

/** Malformed BTF: the message names the byte offset in the blob (or the type id) where the problem is. */
public final class BtfException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    BtfException(String message) {
        super(message);
    }

    static BtfException at(long offset, String message) {
        return new BtfException("BTF at offset " + offset + ": " + message);
    }
}
