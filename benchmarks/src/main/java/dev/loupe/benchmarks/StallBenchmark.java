package dev.loupe.benchmarks;

import dev.loupe.agent.LocalAgent;
import dev.loupe.agent.pause.ProcessPause;
import dev.loupe.app.capture.Snapshotter;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The stall as the target sees it: {@code targets/stacks -clock} runs a goroutine that reads the clock in a
 * tight loop and reports the largest gap and where each gap over 100 µs fell (SIGUSR2 → {@code gaps},
 * {@code maxgap_ns}), so that the stall over the snapshot's pause is told apart from the CPU time the snapshot's
 * other work (verifying, decoding, writing) takes from the target on a small host. Per goroutine count, in the same
 * process and run, it compares the stall of the target's own {@code runtime.Stack(buf, true)} (SIGUSR1) with
 * the stall of Loupe's pause alone (every thread stopped with ptrace and resumed, nothing read) and of a whole
 * snapshot (the same path as {@code loupe snapshot}: program generated, loaded, run in the pause, records
 * decoded and written), and reports the snapshot's pause_ns and where its end-to-end time went. Not a JMH
 * benchmark: what is measured is another process. Needs root. Prints two Markdown tables.
 *
 * <p>Usage: {@code StallBenchmark [ROUNDS] [N...]}, default 7 rounds of 1,000, 10,000 and 100,000 goroutines.
 */
public final class StallBenchmark {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private StallBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(1_000, 10_000, 100_000);
        }
        run(rounds, sizes, System.out);
    }

    /** Measures {@code rounds} rounds per goroutine count and prints the tables to {@code out}. */
    public static void run(int rounds, List<Integer> sizes, PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("loupe-stall");
        List<String> splits = new ArrayList<>();
        out.println("| goroutines | runtime.Stack(all) stall | pause alone: stall | snapshot: stall over its pause | snapshot: longest stall"
                + " from start to end | snapshot: pause_ns (stop; program) | over the pause / Stack | longest / Stack |");
        out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        try {
            for (int n : sizes) {
                splits.add(measure(n, rounds, dir, out));
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
        out.println();
        out.println("| goroutines | generate | load + verify | pause | decode | write | end to end |");
        out.println("| --- | --- | --- | --- | --- | --- | --- |");
        splits.forEach(out::println);
    }

    private static String measure(int goroutines, int rounds, Path dir, PrintStream out) throws Exception {
        long[] stackStall = new long[rounds];
        long[] pauseStall = new long[rounds];
        long[] snapStall = new long[rounds];
        long[] pauseWindowStall = new long[rounds];
        List<Snapshotter.Result> results = new ArrayList<>();
        long[] total = new long[rounds];
        Path oracle = dir.resolve("stacks.txt");
        Snapshotter.Options options = new Snapshotter.Options(SnapshotProgram.DEFAULT_MAX_DEPTH, 256 << 20, Duration.ofSeconds(5));
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"),
                List.of("-n", Integer.toString(goroutines), "-clock", "-oracle", oracle.toString()), WAIT)) {
            int pid = (int) t.pid();
            Snapshotter snapshotter = new Snapshotter(new LocalAgent(), options, line -> {});
            maxGap(t);
            for (int r = 0; r < rounds; r++) {
                t.signal("USR1");
                t.awaitLine(l -> l.startsWith("oracle "), WAIT);
                stackStall[r] = maxGap(t);

                ProcessPause.stop(pid, Duration.ofSeconds(5)).resume();
                pauseStall[r] = maxGap(t);

                Path db = dir.resolve("snapshot-" + r + ".db");
                long start = System.nanoTime();
                Snapshotter.Result result = snapshotter.take(List.of(pid), db);
                results.add(result);
                total[r] = System.nanoTime() - start;
                Gaps gaps = gaps(t);
                snapStall[r] = gaps.max();
                Snapshotter.ProcessSummary p = result.processes().getFirst();
                pauseWindowStall[r] = gaps.overlapping(p.stoppedRealtimeNs() - p.stopNs(), p.pauseNs());
                Files.delete(db);
            }
        }
        long stack = median(stackStall);
        long snap = median(snapStall);
        long inPause = median(pauseWindowStall);
        out.printf("| %,d | %s | %s | %s | %s | %s (%s; %s) | %.2f | %.2f |%n", goroutines, ms(stack), ms(median(pauseStall)),
                ms(inPause), ms(snap),
                ms(median(results, r -> r.processes().getFirst().pauseNs())), ms(median(results, r -> r.processes().getFirst().stopNs())),
                ms(median(results, r -> r.processes().getFirst().runNs())), (double) inPause / stack, (double) snap / stack);
        return String.format("| %,d | %s | %s | %s | %s | %s | %s |", goroutines, ms(median(results, Snapshotter.Result::generateNs)),
                ms(median(results, r -> r.processes().getFirst().loadNs())), ms(median(results, r -> r.processes().getFirst().pauseNs())),
                ms(median(results, Snapshotter.Result::decodeNs)), ms(median(results, Snapshotter.Result::writeNs)), ms(median(total)));
    }

    /** The clock loop's gaps since the last call: the longest, and each one over 100 µs as {start, length}. */
    private record Gaps(long max, List<long[]> long100us) {
        /** The longest gap that overlaps {@code [start, start + length)} (CLOCK_REALTIME), or 0. */
        long overlapping(long start, long length) {
            return long100us.stream().filter(g -> g[0] < start + length && g[0] + g[1] > start).mapToLong(g -> g[1]).max().orElse(0);
        }
    }

    /** Resets the clock loop's gaps and returns those since the last call (the clock goroutine runs on). */
    private static Gaps gaps(RunningTarget t) {
        t.signal("USR2");
        List<long[]> gaps = new ArrayList<>();
        for (String g : t.awaitLine(l -> l.startsWith("gaps"), WAIT).substring("gaps".length()).strip().split(" ")) {
            if (!g.isEmpty()) {
                String[] parts = g.split(":");
                gaps.add(new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])});
            }
        }
        return new Gaps(Long.parseLong(t.awaitLine(l -> l.startsWith("maxgap_ns "), WAIT).substring("maxgap_ns ".length())), gaps);
    }

    private static long maxGap(RunningTarget t) {
        return gaps(t).max();
    }

    private static <T> long median(List<T> values, ToLongFunction<T> f) {
        return median(values.stream().mapToLong(f).toArray());
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String ms(long nanos) {
        return String.format("%.3f ms", nanos / 1e6);
    }
}
