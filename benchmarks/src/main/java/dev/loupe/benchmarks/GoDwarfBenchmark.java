package dev.loupe.benchmarks;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.godwarf.Function;
import dev.loupe.dwarf.godwarf.GoDwarf;
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
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Opening a binary's DWARF: the index of units, functions and types (decompressing .debug_info), the runtime
 * layout, and every function's variables with their location lists — what a spec's validation needs.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
public class GoDwarfBenchmark {
    @Param({"go"})
    public String program;

    private Path path;

    @Setup(Level.Trial)
    public void setUp() {
        path = Programs.path(program);
    }

    /** Open, index DWARF, read the runtime layout. */
    @Benchmark
    public int openDwarfIndex() {
        try (GoBinary b = GoBinary.open(path)) {
            return b.dwarf().functionNames().size() + b.runtimeLayout().hashCode();
        }
    }

    /** Open, index, then read every function's variables and evaluate their location lists. */
    @Benchmark
    public void allVariables(Blackhole bh) {
        try (GoBinary b = GoBinary.open(path)) {
            GoDwarf dwarf = b.dwarf();
            for (Function f : dwarf.functions()) {
                for (var v : dwarf.variables(f)) {
                    bh.consume(dwarf.locations(f, v));
                }
            }
        }
    }
}
