package dev.loupe.benchmarks;

import dev.loupe.app.ui.Fx;
import dev.loupe.app.ui.Workstation;
import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoTargets;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A JVM's first open of a snapshot of many goroutines, as {@code ./loupe FILE.db} does it (issue "The workstation":
 * open to first paint within 1 s): in fresh JVMs started as the launcher starts them, with its ahead-of-time cache
 * ({@code app/target/loupe.aot}, which {@code ./loupe} trains after a build) and without, alternating. Each JVM
 * starts JavaFX (headless, rendered in software), makes the workstation's window and opens the file in it. The
 * figures: the JVM's uptime when the window is up, and from the open to the end of the first layout pulse in which
 * the flame graph is drawn, as {@link WorkstationBenchmark} times it. The snapshot is one of
 * {@code targets/stacks -branches 5}, taken first; needs root.
 *
 * <p>Usage: {@code FirstOpenBenchmark [JVMS] [N]}: JVMS fresh JVMs each way (default 7), N goroutines (default 100,000).
 */
public final class FirstOpenBenchmark {
    private static final String CHILD = "--child";

    private FirstOpenBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals(CHILD)) {
            child(Path.of(args[1]));
            return;
        }
        int jvms = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int goroutines = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        run(jvms, goroutines, true, System.out);
    }

    /**
     * Measures {@code jvms} fresh JVMs each way on a snapshot of {@code goroutines} goroutines; prints the table to
     * {@code out}. Only JVMs without the launcher's cache unless {@code cached}: then it must be there and current
     * ({@code ./loupe --version} makes it).
     */
    public static void run(int jvms, int goroutines, boolean cached, PrintStream out) throws Exception {
        Path root = GoTargets.repoRoot();
        Path app = root.resolve("app/target/loupe-app.jar");
        Path cache = root.resolve("app/target/loupe.aot");
        // The launcher's own class path first, as the cache was trained with; this class after it.
        String classpath = app + ":" + Files.readString(root.resolve("app/target/runtime.classpath")).strip() + ":"
                + System.getProperty("java.class.path");
        if (cached && !(Files.isRegularFile(cache) && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(app)) > 0)) {
            throw new IllegalStateException("no current " + cache + ": run ./loupe --version first, which makes it");
        }
        Path dir = Files.createTempDirectory("loupe-first-open");
        try {
            Path db = WorkstationBenchmark.snapshot(goroutines, dir.resolve("stacks.db"));
            List<long[]> with = new ArrayList<>();
            List<long[]> without = new ArrayList<>();
            for (int i = 0; i < jvms; i++) {
                // Alternating which goes first, so that neither always follows the other.
                for (boolean useCache : i % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    if (useCache && !cached) {
                        continue;
                    }
                    (useCache ? with : without).add(child(classpath, useCache ? cache : null, db));
                }
            }
            out.println("| a fresh JVM, " + goroutines + " goroutines | with the launcher's cache (" + with.size()
                    + " JVMs, median) | without (" + without.size() + " JVMs, median) |");
            out.println("| --- | --- | --- |");
            out.println("| JVM start → window up | " + median(with, 0) + " | " + median(without, 0) + " |");
            out.println("| open → first paint of the flame graph | " + median(with, 1) + " | " + median(without, 1) + " |");
            out.println("| open → first paint, each JVM | " + each(with, 1) + " | " + each(without, 1) + " |");
        } finally {
            WorkstationBenchmark.deleteTree(dir);
        }
    }

    /** Runs one fresh JVM on {@code db}: {window up, open → first paint}, in nanoseconds. */
    private static long[] child(String classpath, Path cache, Path db) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        if (cache != null) {
            argv.add("-XX:AOTCache=" + cache);
        }
        argv.addAll(List.of("-cp", classpath, FirstOpenBenchmark.class.getName(), CHILD, db.toString()));
        String output = Exec.run(Exec.cmd(argv).timeoutSeconds(300));
        if (output.contains("[error][aot]")) {
            throw new IllegalStateException("the JVM could not use " + cache + " (run ./loupe --version to make it anew):\n" + output);
        }
        String line = output.lines().filter(l -> l.startsWith("first-open ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the JVM measured nothing:\n" + output));
        String[] f = line.split(" ");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    /** In the fresh JVM: the window, then the file opened in it; prints "first-open WINDOW_UP_NS OPEN_TO_PAINT_NS". */
    private static void child(Path db) throws Exception {
        System.setProperty("glass.platform", "Headless");
        System.setProperty("prism.order", "sw");
        Fx.start();
        try {
            Path history = Files.createTempDirectory("loupe-history");
            Stage stage = Fx.call(Stage::new);
            Workstation w = Fx.call(() -> new Workstation(stage, history));
            Scene scene = Fx.call(stage::getScene);
            Fx.call(() -> WorkstationBenchmark.pulse(scene, () -> true)).get(WorkstationBenchmark.WAIT_SECONDS, TimeUnit.SECONDS);
            long up = TimeUnit.MILLISECONDS.toNanos(ManagementFactory.getRuntimeMXBean().getUptime());
            CompletableFuture<Long> painted = Fx.call(() -> WorkstationBenchmark.pulse(scene,
                    () -> WorkstationBenchmark.flameGraphDrawn(scene, null)));
            long start = System.nanoTime();
            w.open(db).get(WorkstationBenchmark.WAIT_SECONDS, TimeUnit.SECONDS);
            long paint = painted.get(WorkstationBenchmark.WAIT_SECONDS, TimeUnit.SECONDS) - start;
            System.out.println("first-open " + up + " " + paint);
            Fx.run(stage::close);
            Files.delete(history);
        } finally {
            Platform.exit();
        }
    }

    private static String median(List<long[]> runs, int figure) {
        return runs.isEmpty() ? "—" : CaptureBenchmark.ms(CaptureBenchmark.median(runs, r -> r[figure]));
    }

    private static String each(List<long[]> runs, int figure) {
        return runs.isEmpty() ? "—" : String.join(" / ", runs.stream().map(r -> String.valueOf(r[figure] / 1_000_000)).toList()) + " ms";
    }
}
