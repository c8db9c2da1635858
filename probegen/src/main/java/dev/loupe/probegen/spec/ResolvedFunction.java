package dev.loupe.probegen.spec;

import dev.loupe.dwarf.godwarf.Function;

import java.util.List;

/**
 * A spec function found in the binary's DWARF.
 *
 * @param spec     its entry in the spec
 * @param function the function's DWARF
 * @param captures one per capture of the spec, in its order
 */
public record ResolvedFunction(FunctionSpec spec, Function function, List<ResolvedCapture> captures) {
    public ResolvedFunction {
        captures = List.copyOf(captures);
    }
}
