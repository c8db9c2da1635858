package dev.loupe.app.cli;

import dev.loupe.app.export.Export;
import dev.loupe.app.store.SnapshotFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code loupe export FILE.db --format pprof|folded -o OUT}. */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        description = {"Exports a snapshot's goroutine stacks for other tools:",
            "pprof: a goroutine profile for 'go tool pprof';",
            "folded: one 'process;outer;...;inner count' line per stack, for flame graph tools."})
public final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.db", description = "a snapshot file")
    private Path file;

    @Option(names = "--format", required = true, description = "pprof or folded")
    private Export.Format format;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "the file to write")
    private Path output;

    @Override
    public Integer call() throws IOException {
        try (SnapshotFile snapshot = SnapshotFile.open(file)) {
            int stacks = Export.write(snapshot, format, output);
            spec.commandLine().getErr().println("wrote " + output + " (" + stacks + " stacks)");
        }
        return 0;
    }
}
