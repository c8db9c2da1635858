package dev.loupe.app.capture;

import dev.loupe.agent.LocalAgent;
import dev.loupe.probegen.SnapshotProgram;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Snapshots one process over and over, each time to a new file of a directory: the victim that
 * {@link SnapshotSafetyTest#aKilledSnapshotterNeverLeavesTheTargetStopped} kills at random instants.
 *
 * <p>Arguments: {@code PID DIR [COUNT]}. Per snapshot it prints {@code pausing N} when the snapshotter is about to
 * hand the program to the agent (which loads it, then pauses the process), then {@code done N GOROUTINES TOOK_US PAUSE_US}
 * once {@code DIR/snapshot-N.db} is in place, or {@code failed N MESSAGE}. With COUNT it exits after that many.
 */
public final class SnapshotSafetyLoop {
    private SnapshotSafetyLoop() {}

    public static void main(String[] args) {
        int pid = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        long count = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE;
        long[] n = {0};
        Snapshotter.Options options = new Snapshotter.Options(SnapshotProgram.DEFAULT_MAX_DEPTH, 16 << 20, Duration.ofSeconds(1));
        Snapshotter snapshotter = new Snapshotter(new LocalAgent(), options, step -> {
            if (step.phase() == Snapshotter.Phase.PAUSING) {
                System.out.println("pausing " + n[0]);
            }
        });
        for (; n[0] < count; n[0]++) {
            long start = System.nanoTime();
            try {
                Snapshotter.Result r = snapshotter.take(List.of(pid), dir.resolve("snapshot-" + n[0] + ".db"));
                System.out.println("done " + n[0] + " " + r.goroutines() + " " + (System.nanoTime() - start) / 1_000 + " "
                        + r.processes().getFirst().pauseNs() / 1_000);
            } catch (SnapshotException e) {
                System.out.println("failed " + n[0] + " " + e.getMessage());
            }
        }
    }
}
