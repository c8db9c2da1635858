package dev.loupe.benchmarks;

import dev.loupe.agent.LocalAgent;
import dev.loupe.app.capture.Snapshotter;
import dev.loupe.probegen.spec.Spec;
import dev.loupe.probegen.spec.SpecReader;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * What capturing values costs: on one process of {@code targets/stacks} with N parked goroutines and N/10 more in
 * {@code main.holdA} ... {@code main.holdE} (5 functions, 5 live variables each, one a pointer to follow), the
 * pause of a snapshot with a spec of those 5 functions × 5 expressions against the pause of a stacks-only
 * snapshot, taken in turn on the same process; and how fast the records decode. Needs root. Prints a Markdown
 * table.
 *
 * <p>Usage: {@code CaptureBenchmark [ROUNDS] [N]}, default 7 rounds of 9,000 + 1,000 goroutines.
 */
public final class CaptureBenchmark {
    static final String SPEC = specOf("main.holdA", "main.holdB", "main.holdC", "main.holdD", "main.holdE");

    private CaptureBenchmark() {}

    private static String specOf(String... functions) {
        StringBuilder b = new StringBuilder("functions:\n");
        for (String f : functions) {
            b.append("  - function: ").append(f).append("\n    capture:\n");
            for (String e : List.of("id", "name", "o", "items", "n")) {
                b.append("      - expr: ").append(e).append('\n');
            }
        }
        return b.toString();
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int parked = args.length > 1 ? Integer.parseInt(args[1]) : 9_000;
        run(rounds, parked, System.out);
    }

    /** Measures {@code rounds} rounds and prints the table to {@code out}. */
    public static void run(int rounds, int parked, PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("loupe-capture");
        Spec spec = SpecReader.parse(SPEC, "benchmark.yaml");
        Snapshotter.Options options = new Snapshotter.Options(Snapshotter.Options.DEFAULT.maxDepth(), 256 << 20, Duration.ofSeconds(5));
        List<Snapshotter.Result> stacks = new ArrayList<>();
        List<Snapshotter.Result> captures = new ArrayList<>();
        int holders = Math.max(5, parked / 9);
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"),
                List.of("-n", Integer.toString(parked), "-holders", Integer.toString(holders)), Duration.ofSeconds(120))) {
            Snapshotter snapshotter = new Snapshotter(new LocalAgent(), options, line -> {});
            for (int r = 0; r < rounds; r++) {
                Path a = dir.resolve("stacks-" + r + ".db");
                stacks.add(snapshotter.take(List.of((int) t.pid()), a));
                Files.delete(a);
                Path b = dir.resolve("capture-" + r + ".db");
                captures.add(snapshotter.take(List.of((int) t.pid()), b, spec));
                Files.delete(b);
            }
        } finally {
            Files.deleteIfExists(dir);
        }
        long stackPause = median(stacks, x -> x.processes().getFirst().pauseNs());
        long capturePause = median(captures, x -> x.processes().getFirst().pauseNs());
        Snapshotter.Result last = captures.getLast();
        Snapshotter.ProcessSummary p = last.processes().getFirst();
        double mbPerSecond = median(captures, x -> x.processes().getFirst().recordBytes() * 1_000_000_000L / Math.max(1, x.decodeNs()))
                / 1e6;
        out.println("| goroutines (in spec functions) | stacks only: pause_ns (program) | 5 x 5 spec: pause_ns (program) | ratio"
                + " | frames captured | record bytes | load + verify | decode | decode throughput |");
        out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        out.printf("| %,d (%,d) | %s (%s) | %s (%s) | %.2f | %,d | %,d | %s | %s | %.1f MB/s |%n", p.goroutines(), holders,
                ms(stackPause), ms(median(stacks, x -> x.processes().getFirst().runNs())), ms(capturePause),
                ms(median(captures, x -> x.processes().getFirst().runNs())), (double) capturePause / stackPause, p.capturedFrames(),
                p.recordBytes(), ms(median(captures, x -> x.processes().getFirst().loadNs())), ms(median(captures, Snapshotter.Result::decodeNs)),
                mbPerSecond);
    }

    static <T> long median(List<T> values, ToLongFunction<T> f) {
        long[] sorted = values.stream().mapToLong(f).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    static String ms(long nanos) {
        return String.format("%.3f ms", nanos / 1e6);
    }
}
