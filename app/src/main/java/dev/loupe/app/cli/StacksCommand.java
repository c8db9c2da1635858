package dev.loupe.app.cli;

import dev.loupe.decoder.Frame;
import dev.loupe.app.store.SnapshotFile;
import dev.loupe.app.store.SnapshotFile.StackGroup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code loupe stacks FILE.db}: goroutines grouped by identical stack, largest group first. */
@Command(name = "stacks",
        mixinStandardHelpOptions = true,
        description = "Prints a snapshot's goroutines grouped by identical stack, largest group first.")
public final class StacksCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.db", description = "a snapshot file")
    private Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (SnapshotFile snapshot = SnapshotFile.open(file)) {
            for (StackGroup g : snapshot.stackGroups()) {
                out.println(header(g));
                for (Frame f : g.frames()) {
                    out.println("    " + f.function() + (f.inlined() ? "  (inlined)" : ""));
                    out.println("        " + f.file() + ":" + f.line());
                }
                if (g.truncated()) {
                    out.println("    ... (stack truncated)");
                }
                out.println();
            }
        }
        out.flush();
        return 0;
    }

    /** E.g. {@code 12 goroutines [chan receive, longest 3m12s] stacks (pid 4242): 17 21 ...}. */
    static String header(StackGroup g) {
        String states = states(g);
        String wait = longestWait(g).isEmpty() ? "" : ", longest " + longestWait(g);
        String goids = g.goids().stream().limit(8).map(String::valueOf).collect(Collectors.joining(" "))
                + (g.goids().size() > 8 ? " ..." : "");
        return g.count() + (g.count() == 1 ? " goroutine [" : " goroutines [") + states + wait + "] "
                + dev.loupe.app.export.GoroutineProfile.processName(g) + ": " + goids;
    }

    /** The group's states and wait reasons, e.g. {@code chan receive}, or {@code 3 running, 2 select}. */
    public static String states(StackGroup g) {
        return g.states().entrySet().stream()
                .map(e -> g.states().size() == 1 ? e.getKey() : e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
    }

    /** How long its longest waiter has waited, e.g. {@code 3m12s}; empty below a second or when unknown. */
    public static String longestWait(StackGroup g) {
        return g.longestWaitNs() == null || g.longestWaitNs() < 1_000_000_000L ? "" : human(Duration.ofNanos(g.longestWaitNs()));
    }

    /** E.g. {@code 3m12s}. */
    public static String human(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT).replaceAll("\\.\\d+", "");
    }
}
