package dev.loupe.app.ui;

import dev.loupe.app.store.SnapshotFile.StackGroup;
import dev.loupe.decoder.Frame;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class GoroutineFilterTest {
    private static final List<Frame> SERVE = List.of(new Frame("runtime.gopark", "proc.go", 1, 1, false),
            new Frame("main.serve", "main.go", 2, 2, false));
    private static final List<Frame> SWEEP = List.of(new Frame("runtime.gopark", "proc.go", 1, 1, false),
            new Frame("runtime.bgsweep", "mgcsweep.go", 3, 3, false));
    private static final StackGroup SERVERS = new StackGroup(1, 42, "/srv/s", 7, 3, Map.of("select", 2, "running", 1),
            9_000_000_000L, false, List.of(10L, 11L, 12L), SERVE, List.of("select", "running", "select"));
    private static final StackGroup SWEEPER = new StackGroup(1, 42, "/srv/s", 8, 1, Map.of("GC sweep wait", 1),
            null, false, List.of(3L), SWEEP, List.of("GC sweep wait"));

    @Test
    void aGroupPartlyKeptIsRecountedAndLosesItsLongestWait() {
        List<StackGroup> kept = new GoroutineFilter("", "select", false, false).apply(List.of(SERVERS, SWEEPER), Set.of());
        assertEquals(1, kept.size());
        assertEquals(List.of(10L, 12L), kept.getFirst().goids());
        assertEquals(Map.of("select", 2), kept.getFirst().states());
        assertNull(kept.getFirst().longestWaitNs(), "unknown, not another goroutine's");
    }

    @Test
    void runtimeGoroutinesTextAndCapturedData() {
        List<StackGroup> all = List.of(SERVERS, SWEEPER);
        assertEquals(List.of(SERVERS), new GoroutineFilter("", null, true, false).apply(all, Set.of()));
        assertEquals(List.of(SWEEPER), new GoroutineFilter("BGSWEEP", null, false, false).apply(all, Set.of()));
        List<StackGroup> withData = new GoroutineFilter("", null, false, true).apply(all, Set.of(List.of(1L, 11L)));
        assertEquals(List.of(11L), withData.getFirst().goids());
        assertEquals(all, GoroutineFilter.NONE.apply(all, Set.of()), "no filter keeps every group as it is");
    }
}
