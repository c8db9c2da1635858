package dev.loupe.app.store;

import dev.loupe.app.cli.LoupeCommand;
import dev.loupe.decoder.Frame;
import dev.loupe.decoder.GoroutineInfo;
import dev.loupe.decoder.ValueForm;
import dev.loupe.app.snapshot.ProcessInfo;
import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoToolchains;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot file as other tools see it: the sqlite3 shell, go tool pprof, and
 * Loupe's own CLI. The snapshot is written from hand-made rows; capturing real ones
 * is the snapshot engine's test.
 */
class SnapshotStoreTest {
    private static final List<Frame> RECV = List.of(
            new Frame("runtime.gopark", "/go/src/runtime/proc.go", 435, 0x401000, false),
            new Frame("runtime.chanrecv1", "/go/src/runtime/chan.go", 489, 0x402000, false),
            new Frame("main.waitOn", "/src/stacks/main.go", 20, 0x403000, true),
            new Frame("main.chanRecv", "/src/stacks/main.go", 30, 0x403000, false),
            new Frame("runtime.goexit", "/go/src/runtime/asm_amd64.s", 1700, 0x404000, false));
    private static final List<Frame> SLEEP = List.of(
            new Frame("time.Sleep", "/go/src/runtime/time.go", 300, 0x405000, false),
            new Frame("main.sleeper", "/src/stacks/main.go", 40, 0x406000, false));

    private static Path write(Path dir) {
        try (SnapshotWriter w = SnapshotWriter.create(dir.resolve("s.db"), "test", "host1", null, ValueForm.CLEAN)) {
            long p = w.addProcess(new ProcessInfo(4242, "host1", "/srv/stacks", "bid", "go1.26.8", 2_000_000_000_000L, 812_000, 7, 0, 0));
            long recv = w.stack(RECV, false);
            long sleep = w.stack(SLEEP, true);
            assertEquals(recv, w.stack(List.copyOf(RECV), false), "identical stacks are stored once");
            for (long goid = 10; goid < 13; goid++) {
                w.addGoroutine(p, new GoroutineInfo(goid, "waiting", "chan receive", 2_000_000_000_000L - 90_000_000_000L,
                        "main.main", "/src/stacks/main.go", 50, 1L, null), recv);
            }
            w.addGoroutine(p, new GoroutineInfo(20, "waiting", "sleep", null, "main.main", "/src/stacks/main.go", 51, 1L, null), sleep);
            return w.commit();
        }
    }

    @Test
    void sqlite3ShellReadsTheFramesView(@TempDir Path dir) {
        Path db = write(dir);
        String rows = Exec.run(Exec.cmd("sqlite3", db.toString(),
                "SELECT goid, depth, function, inlined FROM goroutine_frames WHERE goid = 10 ORDER BY depth"));
        assertEquals("""
                10|0|runtime.gopark|0
                10|1|runtime.chanrecv1|0
                10|2|main.waitOn|1
                10|3|main.chanRecv|0
                10|4|runtime.goexit|0
                """, rows);
        assertEquals("4|2|1\n", Exec.run(Exec.cmd("sqlite3", db.toString(),
                "SELECT goroutine_count, stack_count, truncated_stacks FROM processes")));
        assertEquals("4|4|clean\n", Exec.run(Exec.cmd("sqlite3", db.toString(),
                "SELECT (SELECT user_version FROM pragma_user_version), format_version, value_form FROM snapshot")));
        // Each distinct frame once: RECV's five and SLEEP's two.
        assertEquals("7|7\n", Exec.run(Exec.cmd("sqlite3", db.toString(),
                "SELECT count(*), (SELECT count(DISTINCT location_id) FROM frames) FROM locations")));
        assertFalse(Files.exists(dir.resolve("s.db.partial")));
    }

    @Test
    void queriesReadAndCannotWrite(@TempDir Path dir) {
        Path db = write(dir);
        try (SnapshotFile file = SnapshotFile.open(db)) {
            var tables = file.tables();
            assertTrue(tables.contains(new SnapshotFile.TableInfo("goroutines", SnapshotFile.TableKind.BUILT_IN, false, 4L)), tables.toString());
            assertTrue(tables.contains(new SnapshotFile.TableInfo("goroutine_frames", SnapshotFile.TableKind.BUILT_IN, true, null)), tables.toString());
            var r = file.query("SELECT goid FROM goroutines ORDER BY goid", 2);
            assertEquals(List.of("goid"), r.columns());
            assertEquals(List.of(List.<Object>of(10), List.<Object>of(11)), r.rows());
            assertTrue(r.more(), "two of four rows");
            StoreException e = assertThrows(StoreException.class, () -> file.query("DELETE FROM goroutines", 10));
            assertTrue(e.getMessage().contains("readonly"), e.getMessage());
            assertEquals(4, file.query("SELECT count(*) FROM goroutines", 1).rows().getFirst().getFirst());
        }
    }

    @Test
    void stacksCommandGroupsLargestFirst(@TempDir Path dir) {
        Path db = write(dir);
        StringWriter out = new StringWriter();
        assertEquals(0, LoupeCommand.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "stacks", db.toString()));
        String text = out.toString();
        assertTrue(text.startsWith("3 goroutines [chan receive, longest 1m30s] stacks (pid 4242): 10 11 12\n"
                + "    runtime.gopark\n        /go/src/runtime/proc.go:435\n"), text);
        assertTrue(text.contains("    main.waitOn  (inlined)\n        /src/stacks/main.go:20\n"), text);
        assertTrue(text.indexOf("1 goroutine [sleep]") > text.indexOf("3 goroutines"), text);
        assertTrue(text.contains("... (stack truncated)"), text);
    }

    @Test
    void pprofExportOpensInGoToolPprof(@TempDir Path dir) {
        Path db = write(dir);
        Path prof = dir.resolve("goroutine.pb.gz");
        assertEquals(0, LoupeCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "export", db.toString(), "--format", "pprof", "-o", prof.toString()));
        String traces = Exec.run(Exec.cmd(GoToolchains.goExecutable(), "tool", "pprof", "-traces", prof.toString()));
        assertTrue(traces.startsWith("File: stacks\nType: goroutine\n"), traces);
        assertTrue(traces.contains("""
                -----------+-------------------------------------------------------
                   process:  stacks (pid 4242)
                         3   runtime.gopark
                             runtime.chanrecv1
                             main.waitOn (inline)
                             main.chanRecv
                             runtime.goexit
                -----------+-------------------------------------------------------
                   process:  stacks (pid 4242)
                         1   time.Sleep
                             main.sleeper
                -----------+-------------------------------------------------------
                """), traces);
    }

    @Test
    void foldedExportIsOneLinePerStack(@TempDir Path dir) throws Exception {
        Path db = write(dir);
        Path folded = dir.resolve("out.folded");
        assertEquals(0, LoupeCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "export", db.toString(), "--format", "folded", "-o", folded.toString()));
        assertEquals("""
                stacks (pid 4242);runtime.goexit;main.chanRecv;main.waitOn;runtime.chanrecv1;runtime.gopark 3
                stacks (pid 4242);main.sleeper;time.Sleep 1
                """, Files.readString(folded));
    }

    @Test
    void anAbandonedSnapshotLeavesNoFile(@TempDir Path dir) {
        try (SnapshotWriter w = SnapshotWriter.create(dir.resolve("s.db"), "test", "h", null, ValueForm.CLEAN)) {
            w.addProcess(new ProcessInfo(1, "h", "/x", "b", "go1.26.8", 0, 0, 1, 0, 0));
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void badFilesGetOneClearLine(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.db"), "not a database at all, just text\n".repeat(100));
        assertMessage(text, "is not a readable snapshot");
        Path other = dir.resolve("other.db");
        Exec.run(Exec.cmd("sqlite3", other.toString(), "CREATE TABLE t(x); INSERT INTO t VALUES (1);"));
        assertMessage(other, "is not a Loupe snapshot");
        Path newer = write(dir);
        Exec.run(Exec.cmd("sqlite3", newer.toString(), "PRAGMA user_version=99"));
        assertMessage(newer, "was written by a newer Loupe");
        assertMessage(dir, "is a directory");
        assertMessage(dir.resolve("missing.db"), "does not exist");

        StringWriter err = new StringWriter();
        assertEquals(1, LoupeCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "stacks", text.toString()));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("loupe stacks: " + text + " is not a readable snapshot"), err.toString());
    }

    /** SQL that never ends: a recursive count with no bound. */
    private static final String FOREVER = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n";

    @Test
    void aFileWithSqlOfItsOwnInPlaceOfTheEngineTablesIsRefused(@TempDir Path dir) throws Exception {
        Path view = write(Files.createDirectory(dir.resolve("view")));
        Exec.run(Exec.cmd("sqlite3", view.toString(), "DROP VIEW goroutine_frames; DROP TABLE goroutines;"
                + " CREATE VIEW goroutines AS SELECT 1 AS process_id, i AS goid, 'running' AS status FROM (" + FOREVER + ");"));
        assertMessage(view, "in place of the table goroutines it has SQL of its own");
        Path computed = write(Files.createDirectory(dir.resolve("computed")));
        Exec.run(Exec.cmd("sqlite3", computed.toString(), "ALTER TABLE processes ADD COLUMN x INTEGER"
                + " GENERATED ALWAYS AS (length(zeroblob(1000000000))) VIRTUAL;"));
        assertMessage(computed, "in place of the table processes it has SQL of its own");
        Path missing = write(Files.createDirectory(dir.resolve("missing")));
        Exec.run(Exec.cmd("sqlite3", missing.toString(), "DROP VIEW goroutine_frames; DROP TABLE goroutines;"));
        assertMessage(missing, "is not a complete snapshot: it has no table goroutines");
    }

    @Test
    void aViewThatNeverEndsIsStoppedAndTheFileReadsOn(@TempDir Path dir) throws Exception {
        Path db = write(dir);
        Exec.run(Exec.cmd("sqlite3", db.toString(), "CREATE VIEW forever AS " + FOREVER + ";"
                + " DROP VIEW goroutine_frames; CREATE VIEW goroutine_frames AS " + FOREVER + ";"));
        try (SnapshotFile file = SnapshotFile.open(db)) {
            // The engine's reads do not run the file's views, its own name for one included.
            assertEquals(2, file.stackGroups().size());
            assertEquals(SLEEP, file.goroutine(1, 20).orElseThrow().frames());
            // Asked whether to stop while it runs: no for a thousand asks (so it runs on), then yes.
            AtomicInteger asked = new AtomicInteger();
            StoreException e = assertThrows(StoreException.class,
                    () -> file.query("SELECT count(*) FROM forever", 10, () -> asked.incrementAndGet() > 1000));
            assertEquals("the query was stopped", e.getMessage());
            assertEquals(1001, asked.get(), "stopped at the first yes");
            assertEquals(4, file.query("SELECT count(*) FROM goroutines", 1).rows().getFirst().getFirst());
            StoreException load = assertThrows(StoreException.class, () -> file.query("SELECT load_extension('/lib/x.so')", 1));
            assertTrue(load.getMessage().contains("not authorized"), load.getMessage());
        }
    }

    @Test
    void aFormat3FileWithoutLocationsReadsTheSame(@TempDir Path dir) throws Exception {
        Path v4 = write(Files.createDirectory(dir.resolve("v4")));
        Path v3 = write(Files.createDirectory(dir.resolve("v3")));
        Exec.run(Exec.cmd("sqlite3", v3.toString(), """
                CREATE TABLE f3 (stack_id INTEGER NOT NULL, depth INTEGER NOT NULL, function TEXT NOT NULL, file TEXT,
                  line INTEGER, pc INTEGER, inlined INTEGER NOT NULL, PRIMARY KEY (stack_id, depth)) WITHOUT ROWID;
                INSERT INTO f3 SELECT stack_id, depth, function, file, line, pc, inlined FROM frames;
                DROP VIEW goroutine_frames; DROP TABLE frames; DROP TABLE locations; ALTER TABLE f3 RENAME TO frames;
                UPDATE snapshot SET format_version = 3; PRAGMA user_version = 3;"""));
        try (SnapshotFile a = SnapshotFile.open(v4); SnapshotFile b = SnapshotFile.open(v3)) {
            assertEquals(RECV, a.stackGroups().getFirst().frames());
            assertEquals(a.stackGroups(), b.stackGroups());
        }
    }

    @Test
    void aFrameAtNoLocationIsCorrupt(@TempDir Path dir) throws Exception {
        Path db = write(dir);
        Exec.run(Exec.cmd("sqlite3", db.toString(), "UPDATE frames SET location_id = 99 WHERE depth = 1"));
        try (SnapshotFile file = SnapshotFile.open(db)) {
            StoreException e = assertThrows(StoreException.class, file::stackGroups);
            assertTrue(e.getMessage().startsWith(db + " is corrupt (a frame of stack "), e.getMessage());
        }
    }

    private static void assertMessage(Path p, String expected) {
        StoreException e = assertThrows(StoreException.class, () -> SnapshotFile.open(p).close());
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(p.toString()), e.getMessage());
    }
}
