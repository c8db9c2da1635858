package dev.loupe.dwarf.pclntab;

/** A source position: file "?" and line 0 when the pclntab has none for the pc. */
public record SourceLine(String file, int line) {
    static final SourceLine UNKNOWN = new SourceLine("?", 0);

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
