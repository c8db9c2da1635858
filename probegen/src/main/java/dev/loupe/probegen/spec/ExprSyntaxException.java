package dev.loupe.probegen.spec;

/** An expression that does not parse, with the column (1-based, in characters) of the trouble in its text. */
public final class ExprSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int column;

    /**
     * @param column  where in the expression's text, from 1
     * @param message what is wrong; what to do
     */
    public ExprSyntaxException(int column, String message) {
        super(message);
        this.column = column;
    }

    /** Where in the expression's text, from 1. */
    public int column() {
        return column;
    }
}
