package dev.loupe.dwarf.runtime;

/**
 * A stripped binary's Go version has no runtime layout table: the message names the version
 * and the command that generates one.
 */
public final class UnknownGoVersionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String goVersion;

    UnknownGoVersionException(String goVersion, String message) {
        super(message);
        this.goVersion = goVersion;
    }

    /** The binary's Go version, e.g. "go1.19.8". */
    public String goVersion() {
        return goVersion;
    }
}
