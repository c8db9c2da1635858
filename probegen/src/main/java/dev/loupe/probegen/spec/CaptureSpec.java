package dev.loupe.probegen.spec;

/**
 * One entry of a function's {@code capture}: an expression and the column that holds its value.
 *
 * @param expr     the expression's text ({@link ExprParser} has the grammar)
 * @param name     the column's name: the one the file gives, else derived from the expression
 * @param position where the expression's first character is in the file (inside the quotes of a quoted value), so
 *                 that column {@code c} of the expression is at {@code position.plusColumns(c - 1)}
 */
public record CaptureSpec(String expr, String name, Position position) {}
