package dev.loupe.app.capture;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A snapshot file's goroutines as the tests compare them with a runtime traceback, read with plain SQL. */
record CapturedGoroutines(Map<Long, Goroutine> byGoid) {
    record Goroutine(String status, String waitReason, List<String> frames) {}

    static CapturedGoroutines read(Path db) throws Exception {
        Map<Long, Goroutine> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT goid, status, wait_reason FROM goroutines")) {
                while (r.next()) {
                    out.put(r.getLong(1), new Goroutine(r.getString(2), r.getString(3), new ArrayList<>()));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT goid, function, file, line FROM goroutine_frames ORDER BY goid, depth")) {
                while (r.next()) {
                    out.get(r.getLong(1)).frames().add(r.getString(2) + " " + r.getString(3) + ":" + r.getInt(4));
                }
            }
        }
        return new CapturedGoroutines(out);
    }

    /**
     * Asserts the snapshot has {@code expected} as the runtime printed it: same status and wait reason, and the
     * same frames (function and file:line, inlined ones included) once the runtime's hiding of its own internals
     * and its elision of deep stacks are applied.
     */
    void assertMatches(RuntimeStackDump.Goroutine expected) {
        Goroutine got = byGoid.get(expected.goid());
        assertNotNull(got, "goroutine " + expected.goid() + " [" + expected.state() + "] is not in the snapshot");
        List<String> shown = got.frames().stream().filter(f -> RuntimeStackDump.shownByRuntime(f.split(" ")[0])).toList();
        assertEquals(expected.frames(), expected.asPrinted(shown), "frames of goroutine " + expected.goid());
        if (expected.state().equals("syscall")) {
            assertEquals("syscall", got.status(), "status of goroutine " + expected.goid());
        } else {
            assertEquals("waiting", got.status(), "status of goroutine " + expected.goid());
            assertEquals(expected.state(), got.waitReason(), "wait reason of goroutine " + expected.goid());
        }
    }
}
