package dev.loupe.app.cli;

import dev.loupe.agent.LocalAgent;
import dev.loupe.app.Durations;
import dev.loupe.app.capture.SnapshotException;
import dev.loupe.app.capture.Snapshotter;
import dev.loupe.decoder.ValueForm;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.probegen.spec.Spec;
import dev.loupe.probegen.spec.SpecException;
import dev.loupe.probegen.spec.SpecReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code loupe snapshot --pid PID [--pid PID ...] [--spec SPEC.yaml [--addresses]] -o FILE.db}. */
@Command(name = "snapshot",
        mixinStandardHelpOptions = true,
        description = {"Pauses each process for about a millisecond, reads every goroutine's stack and writes a snapshot file.",
            "Progress goes to stderr; one summary line to stdout."})
public final class SnapshotCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = {"-p", "--pid"}, required = true, paramLabel = "PID", description = "a Go process on this machine (repeatable)")
    private List<Integer> pids;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.db", description = "the snapshot file to write (must not exist)")
    private Path output;

    @Option(names = "--pause-budget", paramLabel = "MS", defaultValue = "50",
            description = "the longest a process may stay paused, in ms; past it the process is resumed and nothing is written (default: ${DEFAULT-VALUE})")
    private long pauseBudgetMs;

    @Option(names = "--max-depth", paramLabel = "N", defaultValue = "" + SnapshotProgram.DEFAULT_MAX_DEPTH,
            description = "the most frames per goroutine; deeper stacks are marked truncated (default: ${DEFAULT-VALUE})")
    private int maxDepth;

    @Option(names = "--ring-buffer-mib", paramLabel = "MIB", defaultValue = "64",
            description = "the ring buffer per process, a power of two, in MiB (default: ${DEFAULT-VALUE})")
    private int ringBufferMib;

    @Option(names = "--spec", paramLabel = "SPEC.yaml",
            description = "capture the variables and expressions this spec asks for (docs/spec.md), checked against each binary before pausing")
    private Path specFile;

    @Option(names = "--addresses",
            description = "write the captured values in the raw form: every pointer, and every value reached through one, with its address (docs/snapshot-format.md)")
    private boolean addresses;

    @Option(names = "--timings", description = "print where the time went")
    private boolean timings;

    private Spec spec() throws SnapshotException {
        if (specFile == null) {
            return null;
        }
        try {
            return SpecReader.read(specFile);
        } catch (SpecException e) {
            throw new SnapshotException(e.getMessage());
        }
    }

    @Override
    public Integer call() throws SnapshotException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (pauseBudgetMs <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--pause-budget must be positive");
        }
        if (ringBufferMib <= 0 || ringBufferMib > 1024 || Integer.bitCount(ringBufferMib) != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ring-buffer-mib must be a power of two up to 1024");
        }
        if (maxDepth < 1 || maxDepth > 4096) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-depth must be 1 to 4096");
        }
        if (addresses && specFile == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--addresses needs --spec: without a spec no values are captured");
        }
        Snapshotter.Options options = new Snapshotter.Options(maxDepth, ringBufferMib << 20, Duration.ofMillis(pauseBudgetMs),
                addresses ? ValueForm.RAW : ValueForm.CLEAN);
        Snapshotter.Result r = new Snapshotter(new LocalAgent(), options, step -> {
            err.println(step.line());
            err.flush();
        }).take(List.copyOf(pids), output, spec());
        long maxPause = r.processes().stream().mapToLong(Snapshotter.ProcessSummary::pauseNs).max().orElse(0);
        out.println(String.format(Locale.ROOT, "%,d goroutines from %d process%s, paused %s%s, written to %s", r.goroutines(),
                r.processes().size(), r.processes().size() == 1 ? "" : "es", r.processes().size() == 1 ? "" : "at most ",
                Durations.format(maxPause), r.file()));
        if (timings) {
            for (Snapshotter.ProcessSummary p : r.processes()) {
                err.println("process " + p.pid() + ": load+verify " + Durations.format(p.loadNs()) + ", pause " + Durations.format(p.pauseNs())
                        + " (stop " + Durations.format(p.stopNs()) + ", program " + Durations.format(p.runNs()) + "), " + p.threads() + " threads");
            }
            err.println("generate " + Durations.format(r.generateNs()) + ", agent " + Durations.format(r.captureNs())
                    + ", decode " + Durations.format(r.decodeNs()) + ", write " + Durations.format(r.writeNs()));
        }
        out.flush();
        return 0;
    }
}
