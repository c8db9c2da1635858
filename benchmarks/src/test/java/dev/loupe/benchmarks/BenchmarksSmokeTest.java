package dev.loupe.benchmarks;

import dev.loupe.testkit.Gate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A short bounded pass of every benchmark, so the suite keeps them working; ./run-benchmarks measures for real. */
class BenchmarksSmokeTest {
    @Test
    void everyBenchmarkRunsOnce() throws RunnerException {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(GoBinaryBenchmark.class.getName())
                .include(GoToolNmBenchmark.class.getName())
                .include(GoDwarfBenchmark.class.getName())
                .param("program", "go")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .shouldFailOnError(true)
                .build()).run();
        assertEquals(7, results.size(), "one result per benchmark method");
        for (RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getBenchmark() + " measured nothing");
        }
    }

    @Test
    void theStallBenchmarkMeasuresASnapshot() throws Exception {
        Gate.requireRoot();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StallBenchmark.run(1, List.of(100), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> rows = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("| 100 |")).toList();
        assertEquals(2, rows.size(), "a stall row and a split row: " + bytes);
        assertTrue(rows.stream().noneMatch(r -> r.contains("| 0.000 ms")), "every figure measured: " + rows);
    }

    @Test
    void theCaptureBenchmarkCapturesFrames() throws Exception {
        Gate.requireRoot();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CaptureBenchmark.run(1, 90, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> rows = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.matches("\\| [\\d,]+ \\(10\\).*")).toList();
        assertEquals(1, rows.size(), "one result row: " + bytes);
        assertTrue(rows.getFirst().contains("| 10 |"), "the 10 holders' frames were captured: " + rows);
    }

    @Test
    void theWorkstationBenchmarkMeasuresEveryFigure() throws Exception {
        Gate.requireRoot();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        WorkstationBenchmark.run(1, 2_000, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> rows = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(rows.getFirst().startsWith("| stacks.db: "), "the snapshot opened: " + bytes);
        List<String> figures = rows.subList(2, rows.size());
        assertEquals(9, figures.size(), "a row per figure: " + bytes);
        assertTrue(figures.stream().allMatch(f -> f.matches("\\| .+ \\| \\d+\\.\\d+ (ms|MB) \\|")
                && !f.matches(".* 0\\.0+ (ms|MB) \\|")), "every figure measured: " + bytes);
    }

    @Test
    void theFirstOpenBenchmarkMeasuresAFreshJvm() throws Exception {
        Gate.requireRoot();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FirstOpenBenchmark.run(1, 2_000, false, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> rows = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(5, rows.size(), "a header and three figures: " + bytes);
        assertTrue(rows.get(2).matches("\\| JVM start → window up \\| — \\| \\d+\\.\\d+ ms \\|"), "the window measured: " + bytes);
        assertTrue(rows.get(3).matches("\\| open → first paint of the flame graph \\| — \\| [1-9]\\d*\\.\\d+ ms \\|"),
                "the first paint measured: " + bytes);
    }
}
