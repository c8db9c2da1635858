package dev.loupe.agent.pause;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Pauses and resumes a process forever, holding each pause 0-3 ms: the victim that
 * {@link PauseTest#aKilledTracerNeverLeavesTheTargetStopped} kills at random instants.
 */
public final class PauseLoop {
    private PauseLoop() {}

    public static void main(String[] args) throws Exception {
        int pid = Integer.parseInt(args[0]);
        while (true) {
            ProcessPause p = ProcessPause.stop(pid, Duration.ofSeconds(5));
            System.out.println("paused");
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(3_000_000));
            p.resume();
            System.out.println("resumed");
        }
    }
}
