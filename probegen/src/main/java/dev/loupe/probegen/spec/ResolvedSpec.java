package dev.loupe.probegen.spec;

import java.util.List;

/**
 * A spec checked against one binary ({@link SpecResolver}): every function found, every expression turned into an
 * access path.
 *
 * @param spec      the spec as read
 * @param functions one per function of the spec, in its order
 */
public record ResolvedSpec(Spec spec, List<ResolvedFunction> functions) {
    public ResolvedSpec {
        functions = List.copyOf(functions);
    }
}
