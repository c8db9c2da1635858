package dev.loupe.benchmarks;

import dev.loupe.agent.capture.IteratorCapture;
import dev.loupe.agent.capture.RawCapture;
import dev.loupe.agent.pause.ProcessPause;
import dev.loupe.bpf.asm.Program;
import dev.loupe.bpf.btf.Btf;
import dev.loupe.bpf.btf.KernelFacts;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.probegen.GoroutineWalk;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stall as the target sees it: {@code targets/stacks -clock} runs a goroutine that reads the clock in a
 * tight loop and reports the largest gap (SIGUSR2 → {@code maxgap_ns}). Per goroutine count, in the same
 * process and run, it compares the stall of the target's own {@code runtime.Stack(buf, true)} (SIGUSR1) with
 * the stall of Loupe's pause alone (every thread stopped with ptrace and resumed, nothing read) and of the
 * pause with the goroutine walk in it (every g copied out by the snapshot program, no stacks yet). Not a JMH
 * benchmark: what is measured is another process. Needs root. Prints a Markdown table.
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
        System.out.println("| goroutines | runtime.Stack(all) stall | pause alone: stall | pause + walk: stall | pause + walk: pause_ns (program) | walk / Stack |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        Path oracle = Files.createTempFile("stacks", ".txt");
        try {
            for (int n : sizes) {
                measure(n, rounds, oracle);
            }
        } finally {
            Files.deleteIfExists(oracle);
        }
    }

    private static void measure(int goroutines, int rounds, Path oracle) throws Exception {
        long[] stackStall = new long[rounds];
        long[] pauseStall = new long[rounds];
        long[] walkStall = new long[rounds];
        long[] walkPauseNs = new long[rounds];
        long[] walkRunNs = new long[rounds];
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"),
                List.of("-n", Integer.toString(goroutines), "-clock", "-oracle", oracle.toString()), WAIT)) {
            int pid = (int) t.pid();
            RuntimeLayout layout;
            try (GoBinary b = GoBinary.open(t.binary())) {
                layout = b.runtimeLayout();
            }
            KernelFacts kernel = KernelFacts.of(Btf.read(Path.of("/sys/kernel/btf/vmlinux")));
            Program walk = GoroutineWalk.program(layout, kernel, pid);
            maxGap(t);
            for (int r = 0; r < rounds; r++) {
                t.signal("USR1");
                t.awaitLine(l -> l.startsWith("oracle "), WAIT);
                stackStall[r] = maxGap(t);

                ProcessPause.stop(pid, Duration.ofSeconds(5)).resume();
                pauseStall[r] = maxGap(t);

                RawCapture raw = IteratorCapture.run(pid, walk, kernel.iterTask(), GoroutineWalk.RECORDS_MAP,
                        256L << 20, Duration.ofSeconds(5));
                walkStall[r] = maxGap(t);
                walkPauseNs[r] = raw.pauseNs();
                walkRunNs[r] = raw.runNs();
            }
        }
        long stack = median(stackStall);
        long walk = median(walkStall);
        System.out.printf("| %,d | %s | %s | %s | %s (%s) | %.2f |%n", goroutines, ms(stack), ms(median(pauseStall)),
                ms(walk), ms(median(walkPauseNs)), ms(median(walkRunNs)), (double) walk / stack);
    }

    /** Resets the clock loop's maximum and returns the one since the last call (the clock goroutine runs on). */
    private static long maxGap(RunningTarget t) {
        t.signal("USR2");
        return Long.parseLong(t.awaitLine(l -> l.startsWith("maxgap_ns "), WAIT).substring("maxgap_ns ".length()));
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
