package dev.loupe.probegen.spec;

import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.Variable;

import java.util.List;

/**
 * An expression resolved against a function's DWARF: which variable it starts from and how to get from that
 * variable's value to the expression's.
 *
 * @param spec       its entry in the spec
 * @param expr       the parsed expression
 * @param roots      the variables the expression starts from: all of the function's variables with the root's name
 *                   and the first one's type (one per lexical block that declares it; which one is live depends on
 *                   the pc). For a variable the compiler moved to the heap, DWARF names it {@code &x}, a pointer:
 *                   then the path starts with a {@link Step.Deref}
 * @param rootType   the roots' type, as declared
 * @param path       the steps from the root's value to the expression's; empty for the variable itself
 * @param resultType the expression's type, as declared ({@code int} for {@code len} and {@code cap})
 */
public record ResolvedCapture(CaptureSpec spec, Expr expr, List<Variable> roots, GoType rootType, List<Step> path,
                              GoType resultType) {
    public ResolvedCapture {
        roots = List.copyOf(roots);
        path = List.copyOf(path);
    }
}
