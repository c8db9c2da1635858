package dev.loupe.probegen.spec;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A spec that cannot be used, with every problem found in it (not only the first): the message is one line per
 * problem, {@code SOURCE:LINE:COLUMN: what is wrong; what to do}, in the order of the file.
 */
public final class SpecException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final Comparator<Problem> FILE_ORDER = Comparator.comparing(Problem::source)
            .thenComparingInt(Problem::line).thenComparingInt(Problem::column);

    private final List<Problem> problems;

    /** @param problems at least one, in any order */
    public SpecException(List<Problem> problems) {
        super(sorted(problems).stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = sorted(problems);
    }

    private static List<Problem> sorted(List<Problem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a SpecException needs at least one problem");
        }
        return problems.stream().sorted(FILE_ORDER).toList();
    }

    /** The problems, in the order of the file (sorted by source, line and column). */
    public List<Problem> problems() {
        return problems;
    }
}
