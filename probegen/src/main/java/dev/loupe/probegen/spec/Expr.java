package dev.loupe.probegen.spec;

/**
 * An expression of a spec, as {@link ExprParser} reads it: a variable, its fields, indexes and pointees, and
 * {@code len}/{@code cap} of them (a subset of Go's <a href="https://go.dev/ref/spec#Primary_expressions">primary
 * expressions</a>). Each node knows the column of its expression's text (1-based, in characters) where a problem
 * with it is reported.
 */
public sealed interface Expr {
    /** Where a problem with this node is reported in the expression's text, from 1. */
    int column();

    /** The node in Go syntax, with the parentheses Go needs: {@code (*p).x}, {@code *p.x}. */
    default String text() {
        return switch (this) {
            case Ident i -> i.name();
            case Field f -> operand(f.x()) + "." + f.name();
            case Deref d -> "*" + d.x().text();
            case Index i -> operand(i.x()) + "[" + i.index() + "]";
            case Len l -> "len(" + l.x().text() + ")";
            case Cap c -> "cap(" + c.x().text() + ")";
        };
    }

    private static String operand(Expr x) {
        return x instanceof Deref ? "(" + x.text() + ")" : x.text();
    }

    /** A variable of the function: {@code req}. */
    record Ident(String name, int column) implements Expr {}

    /** A field selector {@code x.name}; the column is the name's. */
    record Field(Expr x, String name, int column) implements Expr {}

    /** An indirection {@code *x}; the column is the star's. */
    record Deref(Expr x, int column) implements Expr {}

    /** An index {@code x[index]} with a constant index; the column is the bracket's. */
    record Index(Expr x, long index, int column) implements Expr {}

    /** {@code len(x)}; the column is the {@code l}'s. */
    record Len(Expr x, int column) implements Expr {}

    /** {@code cap(x)}; the column is the {@code c}'s. */
    record Cap(Expr x, int column) implements Expr {}
}
