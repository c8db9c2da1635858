package dev.loupe.app.ui;

import dev.loupe.probegen.spec.CaptureSpec;
import dev.loupe.probegen.spec.FunctionSpec;
import dev.loupe.probegen.spec.Spec;
import dev.loupe.probegen.spec.SpecReader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The function picker's edit, checked by the spec reader: the capture lands in its function's list, nothing else moves. */
class SpecEditsTest {
    /** Adds the capture, checks the caret is at the end of the expression, and returns the new text. */
    private static String add(String yaml, String function, String expr) {
        SpecEdits.Edit e = SpecEdits.addCapture(yaml, function, expr);
        String out = e.applyTo(yaml);
        assertEquals(expr, out.substring(e.caret() - expr.length(), e.caret()), "the caret ends the expression in:\n" + out);
        return out;
    }

    /** The expressions each function captures, as the reader reads the text. */
    private static List<String> captures(String yaml) throws Exception {
        Spec spec = SpecReader.parse(yaml, "s.yaml");
        return spec.functions().stream().map(f -> f.function() + ":" + String.join(",", f.captures().stream().map(CaptureSpec::expr).toList())).toList();
    }

    @Test
    void anEmptySpecGetsItsFirstFunction() throws Exception {
        String out = add("", "main.holdA", "id");
        assertEquals("functions:\n  - function: main.holdA\n    capture:\n      - expr: id\n", out);
        assertEquals(List.of("main.holdA:id"), captures(out));
        assertEquals(out, add("\n \n", "main.holdA", "id"), "blank lines are replaced too");
    }

    @Test
    void aSpecWithoutAFunctionsListGetsOneAtTheEnd() throws Exception {
        String out = add("limits:\n  pointer_depth: 2", "main.f", "x");
        assertEquals("limits:\n  pointer_depth: 2\nfunctions:\n  - function: main.f\n    capture:\n      - expr: x\n", out);
        assertEquals(List.of("main.f:x"), captures(out));
    }

    @Test
    void anotherFunctionIsAddedAfterTheLastEntryBeforeTheNextKey() throws Exception {
        String yaml = """
                # team spec
                functions:
                    - function: main.g   # the handler
                      capture:
                          - expr: req
                            name: r

                limits: { pointer_depth: 2 }
                """;
        String out = add(yaml, "main.f", "x");
        assertEquals("""
                # team spec
                functions:
                    - function: main.g   # the handler
                      capture:
                          - expr: req
                            name: r
                    - function: main.f
                      capture:
                        - expr: x

                limits: { pointer_depth: 2 }
                """, out);
        assertEquals(List.of("main.g:req", "main.f:x"), captures(out));
    }

    @Test
    void aCaptureIsAppendedToItsFunctionsListAtItsIndentation() throws Exception {
        String yaml = """
                functions:
                  - function: main.f
                    capture:
                        - expr: a
                          name: first
                        # more to come
                    columns:
                      - name: twice
                        sql: first * 2
                  - function: main.g
                    capture:
                      - expr: b
                """;
        String out = add(yaml, "main.f", "o");
        assertEquals(yaml.replace("          name: first\n", "          name: first\n        - expr: o\n"), out);
        assertEquals(List.of("main.f:a,o", "main.g:b"), captures(out));
        String second = add(out, "main.g", "c");
        assertEquals(out + "      - expr: c\n", second);
        assertEquals(List.of("main.f:a,o", "main.g:b,c"), captures(second));
    }

    @Test
    void aFunctionWithoutCapturesGetsItsList() throws Exception {
        String yaml = "functions:\n- function: main.f\n  columns:\n  - name: one\n    sql: '1'\n- function: main.g\n";
        String out = add(yaml, "main.f", "o");
        assertEquals("functions:\n- function: main.f\n  columns:\n  - name: one\n    sql: '1'\n  capture:\n    - expr: o\n- function: main.g\n", out);
        assertEquals(List.of("main.f:o", "main.g:"), captures(out));
        String bare = add("functions:\n  - function: main.g", "main.g", "id");
        assertEquals("functions:\n  - function: main.g\n    capture:\n      - expr: id", bare);
    }

    @Test
    void anEmptyListIsWrittenOut() throws Exception {
        String out = add("functions:\n  - function: main.f\n    capture: []\n", "main.f", "x");
        assertEquals("functions:\n  - function: main.f\n    capture:\n      - expr: x\n", out);
        assertEquals(List.of("main.f:x"), captures(out));
        assertEquals("functions:\n  - function: main.f\n    capture:\n      - expr: x\n", add("functions: []\n", "main.f", "x"));
    }

    @Test
    void theFunctionIsFoundWhateverItsQuotingAndKeyOrder() throws Exception {
        String yaml = "functions:\n  -\n    capture:\n      - expr: a\n    function: 'main.(*T).f'\n";
        String out = add(yaml, "main.(*T).f", "b");
        assertEquals("functions:\n  -\n    capture:\n      - expr: a\n      - expr: b\n    function: 'main.(*T).f'\n", out);
        assertEquals(List.of("main.(*T).f:a,b"), captures(out));
        assertEquals(List.of("main.f:a,b"), captures(add("functions:\n  - function: \"main.f\"\n    capture:\n      - expr: a\n", "main.f", "b")));
    }

    @Test
    void namesAreQuotedOnlyWhereYamlWouldReadThemOtherwise() throws Exception {
        assertEquals("main.(*Server).handle", SpecEdits.scalar("main.(*Server).handle"));
        assertEquals("main.parkGeneric[go.shape.int]", SpecEdits.scalar("main.parkGeneric[go.shape.int]"));
        assertEquals("'*p'", SpecEdits.scalar("*p"));
        assertEquals("'a: b'", SpecEdits.scalar("a: b"));
        assertEquals("'''it''s'", SpecEdits.scalar("'it's"));
        String out = add("", "main.parkGeneric[go.shape.int]", "v");
        FunctionSpec f = SpecReader.parse(out, "s.yaml").functions().getFirst();
        assertEquals("main.parkGeneric[go.shape.int]", f.function());
    }

    @Test
    void aListInFlowStyleIsLeftToTheUser() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpecEdits.addCapture("functions:\n  - function: main.f\n    capture: [{expr: a}]\n", "main.f", "x"));
        assertEquals("the capture list of main.f is written in flow style ([...]); add '- expr: x' to it by hand", e.getMessage());
        assertEquals("the functions list is written in flow style ([...]); add '- function: main.f' to it by hand",
                assertThrows(IllegalArgumentException.class, () -> SpecEdits.addCapture("functions: [{function: main.g}]\n", "main.f", "x")).getMessage());
    }
}
