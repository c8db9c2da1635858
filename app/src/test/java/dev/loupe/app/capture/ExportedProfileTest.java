package dev.loupe.app.capture;

import dev.loupe.agent.LocalAgent;
import dev.loupe.app.cli.LoupeCommand;
import dev.loupe.app.store.SnapshotFile;
import dev.loupe.decoder.Frame;
import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoToolchains;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A live snapshot exported as a pprof goroutine profile: {@code go tool pprof -traces} shows the snapshot's stacks. */
class ExportedProfileTest {
    @Test
    void goToolPprofShowsTheSnapshotsStacks(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        Path db = dir.resolve("s.db");
        Path prof = dir.resolve("s.pb.gz");
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "200"), Duration.ofSeconds(60))) {
            new Snapshotter(new LocalAgent(), Snapshotter.Options.DEFAULT, line -> {}).take(List.of((int) t.pid()), db);
        }
        StringWriter err = new StringWriter();
        assertEquals(0, LoupeCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err),
                "export", db.toString(), "--format", "pprof", "-o", prof.toString()), err.toString());
        Map<List<String>, Integer> expected = new HashMap<>();
        try (SnapshotFile s = SnapshotFile.open(db)) {
            for (SnapshotFile.StackGroup g : s.stackGroups()) {
                List<String> names = new ArrayList<>();
                for (Frame f : g.frames()) {
                    names.add(f.function() + (f.inlined() ? " (inline)" : ""));
                }
                expected.merge(names, g.count(), Integer::sum);
            }
        }
        Map<List<String>, Integer> traces = parseTraces(Exec.run(Exec.cmd(GoToolchains.goExecutable(), "tool", "pprof", "-traces",
                prof.toString())));
        assertTrue(expected.size() >= 10, "stacks in the snapshot: " + expected.size());
        assertEquals(expected, traces);
    }

    /** {@code go tool pprof -traces}: blocks separated by dashes; the first frame line starts with the count. */
    private static Map<List<String>, Integer> parseTraces(String text) {
        Map<List<String>, Integer> out = new HashMap<>();
        for (String block : text.split("-----------\\+-+\n")) {
            List<String> frames = new ArrayList<>();
            int count = 0;
            for (String line : block.lines().toList()) {
                String l = line.strip();
                if (l.isEmpty() || l.contains(":")) {
                    continue; // headers ("File: ...") and labels ("process: ...")
                }
                String[] parts = l.split("\\s+", 2);
                if (frames.isEmpty() && parts[0].matches("\\d+")) {
                    count = Integer.parseInt(parts[0]);
                    l = parts[1];
                }
                frames.add(l);
            }
            if (count > 0) {
                out.merge(frames, count, Integer::sum);
            }
        }
        return out;
    }
}
