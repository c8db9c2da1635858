package dev.loupe.probegen.spec;

/**
 * A place in a spec file, as an editor counts it: both 1-based, the column in characters (Unicode code points).
 *
 * @param line   the line, from 1
 * @param column the column, from 1
 */
public record Position(int line, int column) {
    /** The position {@code columns} characters to the right on the same line. */
    public Position plusColumns(int columns) {
        return new Position(line, column + columns);
    }

    @Override
    public String toString() {
        return line + ":" + column;
    }
}
