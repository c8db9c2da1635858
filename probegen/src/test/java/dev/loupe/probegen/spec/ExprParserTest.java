package dev.loupe.probegen.spec;

import dev.loupe.probegen.spec.Expr.Cap;
import dev.loupe.probegen.spec.Expr.Deref;
import dev.loupe.probegen.spec.Expr.Field;
import dev.loupe.probegen.spec.Expr.Ident;
import dev.loupe.probegen.spec.Expr.Index;
import dev.loupe.probegen.spec.Expr.Len;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The expression grammar of docs/spec.md: each construct, Go's precedence, and errors at their column. */
class ExprParserTest {
    private static Expr parse(String text) throws ExprSyntaxException {
        return ExprParser.parse(text);
    }

    @Test
    void identifiersMayBeUnicodeAsInGo() throws ExprSyntaxException {
        assertEquals(new Ident("req", 1), parse("req"));
        assertEquals(new Ident("größe_2", 1), parse("größe_2"));
        assertEquals(new Ident("_x", 3), parse("  _x  "));
    }

    @Test
    void selectorsChainLeftToRight() throws ExprSyntaxException {
        assertEquals(new Field(new Field(new Ident("req", 1), "URL", 5), "Path", 9), parse("req.URL.Path"));
    }

    @Test
    void indexesTakeDecimalConstants() throws ExprSyntaxException {
        assertEquals(new Index(new Index(new Ident("grid", 1), 2, 5), 10, 8), parse("grid[2][10]"));
        assertEquals(new Field(new Index(new Ident("points", 1), 0, 7), "Y", 11), parse("points[0].Y"));
    }

    @Test
    void aStarAppliesToTheWholePostfixExpression() throws ExprSyntaxException {
        // Go's precedence: *a.b is *(a.b), *p[0] is *(p[0]).
        assertEquals(new Deref(new Field(new Ident("a", 2), "b", 4), 1), parse("*a.b"));
        assertEquals(new Deref(new Index(new Ident("p", 2), 0, 3), 1), parse("*p[0]"));
        assertEquals(new Field(new Deref(new Ident("a", 3), 2), "b", 6), parse("(*a).b"));
        assertEquals(new Deref(new Deref(new Deref(new Ident("ppp", 4), 3), 2), 1), parse("***ppp"));
    }

    @Test
    void lenAndCapAreBuiltinsOnlyWhenCalled() throws ExprSyntaxException {
        assertEquals(new Len(new Field(new Ident("emp", 5), "Tags", 9), 1), parse("len(emp.Tags)"));
        assertEquals(new Cap(new Ident("window", 6), 1), parse("cap (window)"));
        assertEquals(new Len(new Deref(new Ident("p", 6), 5), 1), parse("len(*p)"));
        // A variable may be called len, as in Go.
        assertEquals(new Field(new Ident("len", 1), "x", 5), parse("len.x"));
    }

    @Test
    void whitespaceMaySeparateTokens() throws ExprSyntaxException {
        assertEquals(new Deref(new Index(new Field(new Ident("a", 3), "b", 7), 3, 9), 1), parse("* a . b [ 3 ]"));
    }

    @Test
    void textWritesGoSyntaxBack() throws ExprSyntaxException {
        for (String s : new String[] {"req.URL.Path", "*a.b", "(*a).b", "(*p)[2]", "len(*p)", "cap(x.y[1])", "***ppp"}) {
            assertEquals(s, parse(s).text());
        }
        assertEquals("(*a).b", parse("( * a ).b").text());
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("", 1, "empty expression"),
                Arguments.of("a.", 3, "expected a field name after '.'"),
                Arguments.of("a.3", 3, "unexpected '3' after '.'"),
                Arguments.of("a+b", 2, "operators ('+') are not supported"),
                Arguments.of("a.b - 1", 5, "operators ('-') are not supported"),
                Arguments.of("f(x)", 2, "calls are not supported (only len(x) and cap(x))"),
                Arguments.of("x.String()", 9, "calls are not supported"),
                Arguments.of("x.(T)", 3, "type assertions (x.(T)) are not supported"),
                Arguments.of("a[i]", 3, "indexes must be integer constants"),
                Arguments.of("a[1:2]", 4, "slice expressions (a[i:j]) are not supported"),
                Arguments.of("a[:2]", 3, "slice expressions (a[i:j]) are not supported"),
                Arguments.of("a[-1]", 3, "an index cannot be negative"),
                Arguments.of("a[010]", 3, "without leading zeros"),
                Arguments.of("a[0x1]", 3, "an index is a decimal integer"),
                Arguments.of("a[1+1]", 4, "indexes must be integer constants (a[3]), not expressions"),
                Arguments.of("a[3", 4, "expected ']' to close the '[' at column 2"),
                Arguments.of("a[99999999999999999999]", 3, "index 99999999999999999999 is too large"),
                Arguments.of("(a", 3, "expected ')' to close the '(' at column 1"),
                Arguments.of("(a]", 3, "unexpected ']' where ')' to close the '(' at column 1 should be"),
                Arguments.of("len(a, b)", 6, "len takes one argument"),
                Arguments.of("&x", 1, "taking an address (&x) is not supported"),
                Arguments.of("42", 1, "constants are not supported"),
                Arguments.of("\"s\"", 1, "constants are not supported"),
                Arguments.of("a b", 3, "unexpected 'b' after the expression"),
                Arguments.of("a, b", 2, "unexpected ','"),
                Arguments.of("*", 2, "the expression ends too early"),
                Arguments.of("é+b", 2, "operators ('+') are not supported"),
                Arguments.of("m[\"k\"]", 3, "where an index should be"));
    }

    @ParameterizedTest(name = "{0} at column {1}")
    @MethodSource("errors")
    void errorsSayWhereAndWhatToDo(String text, int column, String message) {
        ExprSyntaxException e = assertThrows(ExprSyntaxException.class, () -> parse(text));
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void hostileNestingIsRefusedNotOverflowed() {
        ExprSyntaxException parens = assertThrows(ExprSyntaxException.class, () -> parse("(".repeat(10_000) + "a" + ")".repeat(10_000)));
        assertTrue(parens.getMessage().contains("nests more than"), parens.getMessage());
        ExprSyntaxException stars = assertThrows(ExprSyntaxException.class, () -> parse("*".repeat(10_000) + "p"));
        assertTrue(stars.getMessage().contains("nests more than"), stars.getMessage());
        ExprSyntaxException chain = assertThrows(ExprSyntaxException.class, () -> parse("a" + ".b".repeat(10_000)));
        assertTrue(chain.getMessage().contains("more than 256 parts"), chain.getMessage());
    }
}
