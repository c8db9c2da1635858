package dev.loupe.app;

import dev.loupe.app.cli.LoupeCommand;

/** Entry point of {@code ./loupe}: the CLI, and (without arguments) the workstation. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(LoupeCommand.execute(args));
    }
}
