package dev.loupe.benchmarks;

import dev.loupe.agent.LocalAgent;
import dev.loupe.app.capture.Snapshotter;
import dev.loupe.app.ui.Fx;
import dev.loupe.app.ui.Workstation;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;
import javafx.application.Platform;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.canvas.Canvas;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.stage.Stage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The workstation with a snapshot of many goroutines open (issue "The workstation": 100,000 goroutines open to the
 * first paint within 1 s, a flame graph repaint ≤ 16 ms after the first layout, filtering ≤ 200 ms, under 1 GB of
 * heap). The snapshot is a real one of {@code targets/stacks -branches 5} (thousands of distinct stacks); the window
 * is the real one, on JavaFX's headless platform rendered in software, driven through its controls: each round opens
 * the file in a new window, types searches into the flame graph, clicks its top box, then types filters and clears
 * them with the flame graph shown and again with the grouped stacks shown. Times on the JavaFX thread end with the
 * layout pulse that shows the result (or, for a repaint, with the drawing calls); the software renderer's own
 * rasterising on its thread is not in them. Needs root. Prints a Markdown table; ./run-benchmarks runs it with
 * {@code -Xmx1g}, so that the heap must fit.
 *
 * <p>Usage: {@code WorkstationBenchmark [ROUNDS] [N]}, default 5 rounds of 100,000 goroutines. JavaFX starts (and
 * ends) once per JVM, so call {@link #run} once.
 */
public final class WorkstationBenchmark {
    static final int BRANCHES = 5;
    private static final List<String> SEARCHES = List.of("branch1", "sync", "main.descend", "");
    private static final int REPAINTS = 10;
    private static final List<String> FILTERS = List.of("branch2", "sync", "chanrecv");
    static final int WAIT_SECONDS = 120;

    private WorkstationBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int goroutines = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        run(rounds, goroutines, System.out);
    }

    /** Measures {@code rounds} rounds on a snapshot of {@code goroutines} parked goroutines; prints the table to {@code out}. */
    public static void run(int rounds, int goroutines, PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("loupe-workstation");
        Path db = snapshot(goroutines, dir.resolve("stacks.db"));
        System.setProperty("glass.platform", "Headless");
        System.setProperty("prism.order", "sw");
        boolean ours = Fx.start();
        List<Long> opens = new ArrayList<>();
        List<Long> repaints = new ArrayList<>();
        List<Long> zooms = new ArrayList<>();
        Map<String, List<Long>> filters = new LinkedHashMap<>();
        long heap = 0;
        String opened = "";
        try {
            for (int r = 0; r < rounds; r++) {
                Stage stage = Fx.call(Stage::new);
                Workstation w = Fx.call(() -> new Workstation(stage, dir.resolve("history")));
                Scene scene = Fx.call(stage::getScene);
                // The window is up, as when a file is opened from it: its own first layout is not the file's.
                Fx.call(() -> pulse(scene, () -> true)).get(WAIT_SECONDS, TimeUnit.SECONDS);
                CompletableFuture<Long> painted = Fx.call(() -> pulse(scene, () -> flameGraphDrawn(scene, null)));
                long start = System.nanoTime();
                w.open(db).get(WAIT_SECONDS, TimeUnit.SECONDS);
                opens.add(painted.get(WAIT_SECONDS, TimeUnit.SECONDS) - start);
                opened = Fx.call(w::status);
                heap = Math.max(heap, HeapFootprint.usedAfterGc());
                for (int i = 0; i < REPAINTS; i++) {
                    for (String s : SEARCHES) {
                        repaints.add(Fx.call(() -> timed(() -> ((TextField) scene.lookup("#flame-search")).setText(s))));
                    }
                    zooms.add(Fx.call(() -> timed(() -> clickTopBox(scene))));
                }
                for (String view : List.of("Flame graph", "Grouped stacks")) {
                    Fx.run(() -> {
                        Tab t = tab(scene, view);
                        t.getTabPane().getSelectionModel().select(t);
                    });
                    for (String f : FILTERS) {
                        String shown = " (" + view.toLowerCase(Locale.ROOT) + " shown) → views drawn";
                        filters.computeIfAbsent("filter typed" + shown, k -> new ArrayList<>()).add(filter(scene, f));
                        filters.computeIfAbsent("filter cleared" + shown, k -> new ArrayList<>()).add(filter(scene, ""));
                    }
                }
                Fx.run(stage::close);
            }
        } finally {
            if (ours) {
                Platform.exit();
            }
            deleteTree(dir);
        }
        out.println("| " + opened + " | " + rounds + (rounds == 1 ? " round" : " rounds, median") + " |");
        out.println("| --- | --- |");
        out.println("| open → first paint of the flame graph | " + median(opens) + " |");
        out.println("| the same, the JVM's first open | " + CaptureBenchmark.ms(opens.getFirst()) + " |");
        out.println("| flame graph repaint (a search typed) | " + median(repaints) + " |");
        out.println("| flame graph zoom (a click: layout + repaint) | " + median(zooms) + " |");
        filters.forEach((what, nanos) -> out.println("| " + what + " | " + median(nanos) + " |"));
        out.printf("| heap used with the file open, after GC (largest of the rounds) | %.1f MB |%n", heap / 1e6);
    }

    /** Deletes {@code dir} and everything in it. */
    static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Writes to {@code db} a snapshot of {@code targets/stacks} with {@code goroutines} goroutines and many distinct stacks. */
    static Path snapshot(int goroutines, Path db) throws Exception {
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"),
                List.of("-n", Integer.toString(goroutines), "-branches", Integer.toString(BRANCHES)), Duration.ofSeconds(WAIT_SECONDS))) {
            Snapshotter.Options options = new Snapshotter.Options(SnapshotProgram.DEFAULT_MAX_DEPTH, 256 << 20, Duration.ofSeconds(5));
            new Snapshotter(new LocalAgent(), options, line -> {}).take(List.of((int) t.pid()), db);
        }
        return db;
    }

    static Canvas flameGraph(Scene scene) {
        return (Canvas) scene.lookup("#flame-graph");
    }

    /** Whether the scene has a flame graph, other than {@code other}, that has been drawn (it is sized when drawn). */
    static boolean flameGraphDrawn(Scene scene, Canvas other) {
        Canvas c = flameGraph(scene);
        return c != null && c != other && c.getHeight() > 0;
    }

    /** The snapshot's view named {@code text}. */
    private static Tab tab(Scene scene, String text) {
        return scene.getRoot().lookupAll(".tab-pane").stream().flatMap(p -> ((TabPane) p).getTabs().stream())
                .filter(t -> text.equals(t.getText())).findFirst().orElseThrow();
    }

    /** Completes, with the time, at the end of the first layout pulse after which {@code ready}. On the JavaFX thread. */
    static CompletableFuture<Long> pulse(Scene scene, BooleanSupplier ready) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        Runnable check = () -> {
            if (ready.getAsBoolean()) {
                done.complete(System.nanoTime());
            }
        };
        scene.addPostLayoutPulseListener(check);
        done.whenComplete((t, e) -> scene.removePostLayoutPulseListener(check));
        // A window with nothing to lay out has no pulses of its own.
        Platform.requestNextPulse();
        return done;
    }

    /** Types {@code text} into the goroutine filter: the time until the views are drawn anew (a new flame graph, when shown). */
    private static long filter(Scene scene, String text) throws Exception {
        long[] start = new long[1];
        CompletableFuture<Long> painted = Fx.call(() -> {
            Canvas before = flameGraph(scene);
            boolean flameShown = tab(scene, "Flame graph").isSelected();
            CompletableFuture<Long> d = pulse(scene, () -> !flameShown || flameGraphDrawn(scene, before));
            start[0] = System.nanoTime();
            ((TextField) scene.lookup("#goroutine-filter")).setText(text);
            return d;
        });
        return painted.get(WAIT_SECONDS, TimeUnit.SECONDS) - start[0];
    }

    /** A click on the flame graph's top box, the node zoomed into: it is laid out and drawn again. */
    private static void clickTopBox(Scene scene) {
        Canvas c = flameGraph(scene);
        Point2D at = c.localToScene(c.getWidth() / 2, 5);
        c.fireEvent(new MouseEvent(MouseEvent.MOUSE_CLICKED, at.getX(), at.getY(), at.getX(), at.getY(), MouseButton.PRIMARY, 1,
                false, false, false, false, true, false, false, true, false, true, null));
    }

    private static long timed(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return System.nanoTime() - start;
    }

    private static String median(List<Long> nanos) {
        return CaptureBenchmark.ms(CaptureBenchmark.median(nanos, Long::longValue));
    }
}
