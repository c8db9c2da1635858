package dev.loupe.app.store;

import java.util.List;

/**
 * A function table of a snapshot: one row per captured frame of {@code function}, with a column per captured
 * expression and per extra column (SQL over the others, computed when the file is written).
 *
 * @param function the Go function's name
 * @param captures the captured expressions' columns, in the spec's order
 * @param extras   the extra columns, in the spec's order
 */
public record FunctionTable(String function, List<Capture> captures, List<Extra> extras) {
    public FunctionTable {
        captures = List.copyOf(captures);
        extras = List.copyOf(extras);
    }

    /** A captured expression's column: its name, the expression, and the Go type of its values. */
    public record Capture(String name, String expr, String goType) {}

    /** An extra column: its name and the SQL expression over the row's other columns. */
    public record Extra(String name, String sql) {}
}
