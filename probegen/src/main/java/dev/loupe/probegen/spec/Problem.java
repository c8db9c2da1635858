package dev.loupe.probegen.spec;

/**
 * One thing wrong with a spec, where it is: what {@link SpecException} collects, and what an editor underlines.
 *
 * @param source  the spec's file name as given to the reader (or the binary's path, for a binary without DWARF)
 * @param line    1-based; 0 when the problem is about the whole source
 * @param column  1-based; 0 when the problem is about the whole source
 * @param message what is wrong, then after "; " what to do; line breaks (from quoted user text) become {@code \n}, so
 *                that it is one line
 */
public record Problem(String source, int line, int column, String message) {
    public Problem {
        message = message.replaceAll("\\R", "\\\\n");
    }

    /** A problem at {@code at} in {@code source}. */
    public static Problem at(String source, Position at, String message) {
        return new Problem(source, at.line(), at.column(), message);
    }

    /** {@code SOURCE:LINE:COLUMN: message}, or {@code SOURCE: message} without a line. */
    @Override
    public String toString() {
        return line > 0 ? source + ":" + line + ":" + column + ": " + message : source + ": " + message;
    }
}
