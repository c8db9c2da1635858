package dev.loupe.app.ui;

import dev.loupe.agent.LocalAgent;
import dev.loupe.app.capture.Snapshotter;
import dev.loupe.probegen.spec.Spec;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real snapshot of {@code targets/stacks}, taken for a UI test: the files the window is tested on. */
final class StacksSnapshot {
    /** The pause is not what the UI tests are about: a second of budget, for a loaded machine. */
    static final Snapshotter.Options OPTIONS = new Snapshotter.Options(Snapshotter.Options.DEFAULT.maxDepth(),
            Snapshotter.Options.DEFAULT.ringBufferBytes(), Duration.ofSeconds(1));

    private StacksSnapshot() {}

    /** Runs targets/stacks with {@code args}, snapshots it into {@code db} (with {@code spec}, or none) and stops it. */
    static Path take(Path db, List<String> args, Spec spec) throws Exception {
        Gate.requireRoot();
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), args, Duration.ofSeconds(120))) {
            new Snapshotter(new LocalAgent(), OPTIONS, line -> {}).take(List.of((int) t.pid()), db, spec);
        }
        return db;
    }
}
