package dev.loupe.app.capture;

import dev.loupe.agent.LocalAgent;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.testkit.DebianEtcd;
import dev.loupe.testkit.Gate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot of a real program nobody here wrote or built: Debian's etcd (stripped, Go 1.19, external linker), so the
 * runtime layout comes from Loupe's table, {@code runtime.allgs} from its code and the stacks from its pclntab alone.
 * Its own {@code /debug/pprof/goroutine?debug=2}, taken right before and right after the snapshot, is the oracle:
 * every goroutine both dumps show parked in the same state with the same frames is in the snapshot with that status,
 * wait reason and those frames.
 */
class DebianEtcdSnapshotTest {
    @Test
    void stableGoroutinesMatchEtcdsOwnDump(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        try (DebianEtcd.Server etcd = DebianEtcd.start(dir.resolve("data"), List.of("--enable-pprof"), Duration.ofSeconds(60))) {
            RuntimeStackDump before = RuntimeStackDump.parse(etcd.get("/debug/pprof/goroutine?debug=2").lines().toList());
            Path db = dir.resolve("etcd.db");
            Snapshotter.Result r = new Snapshotter(new LocalAgent(), Snapshotter.Options.DEFAULT, line -> {})
                    .take(List.of((int) etcd.process().pid()), db);
            RuntimeStackDump after = RuntimeStackDump.parse(etcd.get("/debug/pprof/goroutine?debug=2").lines().toList());
            assertEquals(0, r.processes().getFirst().lostRecords());
            assertEquals(0, r.processes().getFirst().unreadable());

            CapturedGoroutines snapshot = CapturedGoroutines.read(db);
            Set<String> wrappers;
            try (GoBinary binary = GoBinary.open(DebianEtcd.binary())) {
                wrappers = CapturedGoroutines.wrappers(binary);
            }
            int compared = 0;
            int inlined = 0;
            for (RuntimeStackDump.Goroutine g : before.goroutines().values()) {
                RuntimeStackDump.Goroutine again = after.goroutines().get(g.goid());
                boolean parked = !g.state().equals("running") && !g.state().equals("runnable");
                if (parked && again != null && Objects.equals(g, again)) {
                    snapshot.assertMatches(g, wrappers);
                    compared++;
                }
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(DISTINCT goid) FROM goroutine_frames WHERE inlined")) {
                inlined = rs.next() ? rs.getInt(1) : 0;
            }
            System.out.printf("etcd: %d goroutines in the snapshot, %d stable ones compared, %d with inlined frames, paused %d µs%n",
                    r.goroutines(), compared, inlined, r.processes().getFirst().pauseNs() / 1000);
            assertTrue(compared >= 20, compared + " stable goroutines compared, of " + before.goroutines().size());
            assertTrue(inlined > 0, "inlined frames expanded from the pclntab");
            assertTrue(r.goroutines() >= compared);
        }
    }
}
