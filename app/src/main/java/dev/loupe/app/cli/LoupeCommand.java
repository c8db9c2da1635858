package dev.loupe.app.cli;

import dev.loupe.app.LoupeVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code loupe} command line. Every failure reaches the user as one line saying
 * what is wrong and what to do; a stack trace is printed only with {@code LOUPE_DEBUG=1}.
 */
@Command(name = "loupe",
        mixinStandardHelpOptions = true,
        versionProvider = LoupeCommand.Version.class,
        description = "Loupe: snapshots of every goroutine of a live Go service, with its variables.",
        subcommands = {DoctorCommand.class, PsCommand.class, SnapshotCommand.class, ScreenshotsCommand.class, BinaryCommand.class, StacksCommand.class, ExportCommand.class, CommandLine.HelpCommand.class})
public final class LoupeCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Without a subcommand (./loupe alone opens the workstation instead): what the CLI can do. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Whether {@code name} is one of the CLI's commands. */
    public static boolean isCommand(String name) {
        return new CommandLine(new LoupeCommand()).getSubcommands().containsKey(name);
    }

    /** Runs the CLI and returns the process exit status. */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with the given output streams (tests capture them). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new LoupeCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(LoupeCommand::reportFailure);
        cli.setParameterExceptionHandler(LoupeCommand::reportBadUsage);
        return cli.execute(args);
    }

    private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + message);
        if ("1".equals(System.getenv("LOUPE_DEBUG"))) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    private static int reportBadUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage()
                + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return 2;
    }

    /** The version from the jar's manifest (set by the build). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"loupe " + LoupeVersion.get()};
        }
    }
}
