package dev.loupe.benchmarks;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Opening a Go binary and resolving pcs (targets: open + index ≤ 1 s, pc lookup ≤ 1 µs);
 * {@link GoToolNmBenchmark} reads the same file with the Go toolchain's reader in the same run.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GoBinaryBenchmark {
    static final int PCS = 100_000;

    @Param({"go", "etcd"})
    public String program;

    private Path path;
    private GoBinary binary;
    private Pclntab pclntab;
    private long[] pcs;

    @Setup(Level.Trial)
    public void setUp() {
        path = Programs.path(program);
        binary = GoBinary.open(path);
        pclntab = binary.pclntab();
        // Pcs spread over every function, as a stack of a real process would be.
        SplittableRandom random = new SplittableRandom(7);
        pcs = new long[PCS];
        for (int i = 0; i < PCS; i++) {
            Func f = pclntab.function(random.nextInt(pclntab.functionCount()));
            pcs[i] = f.entry() + random.nextLong(Math.max(1, f.end() - f.entry()));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        binary.close();
    }

    /** Map the file, parse ELF, read build info, index the pclntab's functions and lines. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 5)
    @Measurement(iterations = 20)
    public int openAndIndex() {
        try (GoBinary b = GoBinary.open(path)) {
            b.buildInfo();
            Pclntab t = b.pclntab();
            return t.functionCount() + t.line(t.function(t.functionCount() / 2).entry()).line();
        }
    }

    /** pc → function. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(PCS)
    public void functionAt(Blackhole bh) {
        for (long pc : pcs) {
            bh.consume(pclntab.functionIndex(pc));
        }
    }

    /** pc → innermost file:line. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(PCS)
    public void line(Blackhole bh) {
        for (long pc : pcs) {
            bh.consume(pclntab.line(pc));
        }
    }

    /** pc → every frame, inlined ones expanded: what symbolising a stack costs per pc. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(PCS)
    public void frames(Blackhole bh) {
        for (long pc : pcs) {
            bh.consume(pclntab.frames(pc));
        }
    }
}
