package dev.loupe.app.cli;

import dev.loupe.app.export.GoroutineProfile;
import dev.loupe.app.store.SnapshotFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code loupe export FILE.db --format pprof|folded -o OUT}. */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        description = {"Exports a snapshot's goroutine stacks for other tools:",
            "pprof: a goroutine profile for 'go tool pprof';",
            "folded: one 'process;outer;...;inner count' line per stack, for flame graph tools."})
public final class ExportCommand implements Callable<Integer> {
    /** The export formats. */
    enum Format { pprof, folded }

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.db", description = "a snapshot file")
    private Path file;

    @Option(names = "--format", required = true, description = "pprof or folded")
    private Format format;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "the file to write")
    private Path output;

    @Override
    public Integer call() throws IOException {
        try (SnapshotFile snapshot = SnapshotFile.open(file)) {
            var groups = snapshot.stackGroups();
            Path tmp = output.toAbsolutePath().resolveSibling(output.getFileName() + ".partial");
            try {
                switch (format) {
                    case pprof -> {
                        try (OutputStream out = Files.newOutputStream(tmp)) {
                            GoroutineProfile.writePprof(groups, snapshot.createdAtNs(), out);
                        }
                    }
                    case folded -> {
                        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                            GoroutineProfile.writeFolded(groups, out);
                        }
                    }
                }
                Files.move(tmp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            spec.commandLine().getErr().println("wrote " + output + " (" + groups.size() + " stacks)");
        }
        return 0;
    }
}
