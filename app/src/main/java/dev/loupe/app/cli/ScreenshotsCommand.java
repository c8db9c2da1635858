package dev.loupe.app.cli;

import dev.loupe.app.store.SnapshotFile;
import dev.loupe.app.ui.Screenshots;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code loupe screenshots FILE.db DIR}: the workstation's main views of a snapshot, as PNG. */
@Command(name = "screenshots",
        mixinStandardHelpOptions = true,
        description = "Renders the workstation's main views of a snapshot to PNG files at 1440x900, without a display.")
public final class ScreenshotsCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.db", description = "a snapshot file")
    private Path file;

    @Parameters(index = "1", paramLabel = "DIR", description = "the directory to write the PNG files to")
    private Path dir;

    @Override
    public Integer call() throws Exception {
        // What is wrong with the file is said before any window is made.
        SnapshotFile.open(file).close();
        for (Path p : Screenshots.render(file, dir)) {
            spec.commandLine().getErr().println("wrote " + p);
        }
        return 0;
    }
}
