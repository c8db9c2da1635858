package dev.loupe.probegen.spec;

/**
 * One entry of a function's {@code columns}: an extra column computed by SQLite from the captured columns of the
 * same row.
 *
 * @param name     the column's name
 * @param sql      an SQL expression over the function table's columns, e.g. {@code length(path)}
 * @param position where the column's name is in the file
 */
public record ColumnSpec(String name, String sql, Position position) {}
