package dev.loupe.dwarf.line;

/**
 * One row of the line-number matrix (DWARF 5 §6.2.2).
 *
 * @param address     the pc
 * @param file        the file's path (joined with its directory)
 * @param line        1-based line, 0 when the instruction has no source line
 * @param column      1-based column, 0 when unknown
 * @param isStmt      a recommended breakpoint location
 * @param endSequence the first byte after a sequence: this row only ends the previous one
 */
public record LineRow(long address, String file, long line, long column, boolean isStmt, boolean endSequence) {}
