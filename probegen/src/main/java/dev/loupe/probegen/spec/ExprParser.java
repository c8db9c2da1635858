package dev.loupe.probegen.spec;

/**
 * Parses a spec expression, a subset of Go's syntax:
 *
 * <pre>
 * expr    := unary
 * unary   := '*' unary | postfix
 * postfix := primary ( '.' IDENT | '[' INT ']' )*
 * primary := IDENT | 'len' '(' expr ')' | 'cap' '(' expr ')' | '(' expr ')'
 * </pre>
 *
 * IDENT is a Go identifier (Unicode letters and digits allowed), INT a decimal integer without leading zeros
 * (Go would read {@code 010} as octal). As in Go, {@code *a.b} is {@code *(a.b)}. {@code len} and {@code cap} not
 * followed by {@code (} are plain identifiers. Columns count characters (Unicode code points) from 1.
 */
public final class ExprParser {
    /** Parentheses and stars nested deeper than this are refused, so that hostile input cannot exhaust the stack. */
    private static final int MAX_DEPTH = 64;
    /** Nor are expressions of more parts than this: the tree's walkers recurse. */
    private static final int MAX_NODES = 256;
    private static final String SUPPORTED = "an expression is a variable with fields (.f), constant indexes ([3]), *, len() and cap()";

    private final int[] cps;
    private int pos;
    private int depth;
    private int nodes;

    private ExprParser(String text) {
        this.cps = text.codePoints().toArray();
    }

    /**
     * Parses {@code text}.
     *
     * @throws ExprSyntaxException if it is not an expression of the grammar above, or uses Go syntax this subset
     *                             does not support (calls, operators, slicing, variable indexes...)
     */
    public static Expr parse(String text) throws ExprSyntaxException {
        ExprParser p = new ExprParser(text);
        p.skipSpace();
        if (p.atEnd()) {
            throw new ExprSyntaxException(1, "empty expression; write a variable of the function, e.g. req.URL.Path");
        }
        Expr e = p.unary();
        p.skipSpace();
        if (!p.atEnd()) {
            throw p.unexpected("after the expression");
        }
        return e;
    }

    private Expr unary() throws ExprSyntaxException {
        skipSpace();
        if (peek() == '*') {
            int column = column();
            pos++;
            enter();
            Expr x = unary();
            depth--;
            return count(new Expr.Deref(x, column));
        }
        return postfix();
    }

    private Expr postfix() throws ExprSyntaxException {
        Expr x = primary();
        while (true) {
            skipSpace();
            int column = column();
            if (peek() == '.') {
                pos++;
                skipSpace();
                if (peek() == '(') {
                    throw new ExprSyntaxException(column(), "type assertions (x.(T)) are not supported; capture the interface value itself");
                }
                if (!isLetter(peek())) {
                    throw atEnd() ? new ExprSyntaxException(column(), "expected a field name after '.'")
                            : unexpected("after '.': expected a field name");
                }
                int nameColumn = column();
                x = count(new Expr.Field(x, identifier(), nameColumn));
            } else if (peek() == '[') {
                pos++;
                long index = index();
                skipSpace();
                if (peek() == ':') {
                    throw new ExprSyntaxException(column(), "slice expressions (a[i:j]) are not supported; capture the slice itself");
                }
                expect(']', '[', column);
                x = count(new Expr.Index(x, index, column));
            } else if (peek() == '(') {
                throw new ExprSyntaxException(column, "calls are not supported (only len(x) and cap(x)); " + SUPPORTED);
            } else {
                return x;
            }
        }
    }

    private Expr primary() throws ExprSyntaxException {
        skipSpace();
        int column = column();
        int c = peek();
        if (c == '(') {
            pos++;
            enter();
            Expr x = unary();
            depth--;
            expect(')', '(', column);
            return x;
        }
        if (isLetter(c)) {
            String name = identifier();
            int save = pos;
            skipSpace();
            if (peek() == '(' && (name.equals("len") || name.equals("cap"))) {
                int open = column();
                pos++;
                enter();
                Expr x = unary();
                depth--;
                skipSpace();
                if (peek() == ',') {
                    throw new ExprSyntaxException(column(), name + " takes one argument");
                }
                expect(')', '(', open);
                return count(name.equals("len") ? new Expr.Len(x, column) : new Expr.Cap(x, column));
            }
            pos = save;
            return new Expr.Ident(name, column);
        }
        if (atEnd()) {
            throw new ExprSyntaxException(column, "the expression ends too early: expected a variable name");
        }
        if (c == '&') {
            throw new ExprSyntaxException(column, "taking an address (&x) is not supported; capture x itself");
        }
        if (c >= '0' && c <= '9' || c == '"' || c == '\'' || c == '`') {
            throw new ExprSyntaxException(column, "constants are not supported; " + SUPPORTED);
        }
        throw unexpected("where a variable name should be");
    }

    private long index() throws ExprSyntaxException {
        skipSpace();
        int column = column();
        int c = peek();
        if (c == '-') {
            throw new ExprSyntaxException(column, "an index cannot be negative");
        }
        if (isLetter(c)) {
            throw new ExprSyntaxException(column, "indexes must be integer constants (a[3]), not variables or expressions");
        }
        if (c == ':') {
            throw new ExprSyntaxException(column, "slice expressions (a[i:j]) are not supported; capture the slice itself");
        }
        if (!(c >= '0' && c <= '9')) {
            throw atEnd() ? new ExprSyntaxException(column, "expected an index after '['") : unexpected("where an index should be");
        }
        int start = pos;
        while (peek() >= '0' && peek() <= '9') {
            pos++;
        }
        if (isLetter(peek())) {
            throw new ExprSyntaxException(column, "an index is a decimal integer, e.g. a[3]");
        }
        if (pos - start > 1 && cps[start] == '0') {
            throw new ExprSyntaxException(column, "write the index without leading zeros (Go reads 010 as octal 8)");
        }
        String digits = new String(cps, start, pos - start);
        if (digits.length() > 18) {
            throw new ExprSyntaxException(column, "index " + digits + " is too large");
        }
        skipSpace();
        if (peek() != ']' && peek() != ':' && !atEnd()) {
            throw new ExprSyntaxException(column(), "indexes must be integer constants (a[3]), not expressions");
        }
        return Long.parseLong(digits);
    }

    private String identifier() {
        int start = pos;
        while (isLetter(peek()) || Character.isDigit(peek())) {
            pos++;
        }
        return new String(cps, start, pos - start);
    }

    /** Consumes {@code close}, which must match the {@code open} at column {@code openColumn}. */
    private void expect(char close, char open, int openColumn) throws ExprSyntaxException {
        skipSpace();
        if (peek() != close) {
            String what = "'" + close + "' to close the '" + open + "' at column " + openColumn;
            throw atEnd() ? new ExprSyntaxException(column(), "expected " + what) : unexpected("where " + what + " should be");
        }
        pos++;
    }

    private Expr count(Expr e) throws ExprSyntaxException {
        if (++nodes > MAX_NODES) {
            throw new ExprSyntaxException(e.column(), "the expression has more than " + MAX_NODES + " parts; simplify it");
        }
        return e;
    }

    private void enter() throws ExprSyntaxException {
        if (++depth > MAX_DEPTH) {
            throw new ExprSyntaxException(column(), "the expression nests more than " + MAX_DEPTH + " levels deep; simplify it");
        }
    }

    /** An error for the character at the current position; operators get a message of their own. */
    private ExprSyntaxException unexpected(String where) {
        int c = peek();
        String shown = "'" + Character.toString(c) + "'";
        if ("+-/%&|^<>=!".indexOf(c) >= 0) {
            return new ExprSyntaxException(column(), "operators (" + shown + ") are not supported; " + SUPPORTED);
        }
        if (c == ',') {
            return new ExprSyntaxException(column(), "unexpected ',': a capture is one expression; list each one under capture");
        }
        return new ExprSyntaxException(column(), "unexpected " + shown + " " + where + "; " + SUPPORTED);
    }

    /** Go's letters: Unicode letters and '_' (https://go.dev/ref/spec#Letters_and_digits). */
    private static boolean isLetter(int c) {
        return c == '_' || Character.isLetter(c);
    }

    private void skipSpace() {
        while (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r') {
            pos++;
        }
    }

    private boolean atEnd() {
        return pos >= cps.length;
    }

    private int peek() {
        return atEnd() ? -1 : cps[pos];
    }

    private int column() {
        return pos + 1;
    }
}
