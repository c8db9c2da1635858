package dev.loupe.benchmarks;

import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoToolchains;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code go tool nm} on the binary {@link GoBinaryBenchmark#openAndIndex} opens: the Go toolchain's own reader,
 * for comparison. Only for binaries with a symbol table (nm has nothing to read in a stripped one).
 */
@State(Scope.Benchmark)
@Fork(1)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
public class GoToolNmBenchmark {
    @Param({"go"})
    public String program;

    private Path path;

    @Setup(Level.Trial)
    public void setUp() {
        path = Programs.path(program);
    }

    @Benchmark
    public int goToolNm() {
        return Exec.run(Exec.cmd(GoToolchains.goExecutable(), "tool", "nm", path.toString())
                .env("GOTOOLCHAIN", GoToolchains.LOCAL)).length();
    }
}
