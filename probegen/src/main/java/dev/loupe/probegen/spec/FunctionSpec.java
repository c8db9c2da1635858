package dev.loupe.probegen.spec;

import java.util.List;

/**
 * One entry of {@code functions}: a Go function whose frames get a table in the snapshot.
 *
 * @param function the linker's name, as {@code go tool nm} prints it ({@code main.(*Server).handle})
 * @param captures the expressions evaluated in each of its frames, one column each
 * @param columns  extra columns computed with SQL from the captured ones
 * @param position where the function's name is in the file
 */
public record FunctionSpec(String function, List<CaptureSpec> captures, List<ColumnSpec> columns, Position position) {
    public FunctionSpec {
        captures = List.copyOf(captures);
        columns = List.copyOf(columns);
    }
}
