package dev.loupe.app;

import dev.loupe.app.cli.LoupeCommand;
import dev.loupe.app.ui.Workstation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Entry point of {@code ./loupe}: the CLI, and (without arguments, or with snapshot files) the workstation. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(opensWorkstation(args) ? Workstation.run(List.of(args)) : LoupeCommand.execute(args));
    }

    /** No arguments, or only files that exist and are not the name of a command: {@code ./loupe FILE.db}. */
    static boolean opensWorkstation(String[] args) {
        return Arrays.stream(args).allMatch(a -> !a.startsWith("-") && !LoupeCommand.isCommand(a) && Files.isRegularFile(Path.of(a)));
    }
}
