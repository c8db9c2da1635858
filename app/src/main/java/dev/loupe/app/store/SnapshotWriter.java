package dev.loupe.app.store;

import dev.loupe.decoder.Frame;
import dev.loupe.decoder.GoroutineInfo;
import dev.loupe.app.snapshot.ProcessInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a snapshot file. Rows go to {@code FILE.partial} next to the target and the
 * file is renamed into place only by {@link #commit()}: a snapshot that failed half
 * way leaves nothing that looks complete. Identical stacks are stored once.
 */
public final class SnapshotWriter implements AutoCloseable {
    private static final int BATCH = 10_000;

    private final Path target;
    private final Path partial;
    private final Connection db;
    private final PreparedStatement insertProcess;
    private final PreparedStatement insertStack;
    private final PreparedStatement insertFrame;
    private final PreparedStatement insertGoroutine;
    private final Map<List<Frame>, Long> stackIds = new HashMap<>();
    private int pendingRows;
    private boolean committed;

    private SnapshotWriter(Path target, Path partial, Connection db) throws SQLException {
        this.target = target;
        this.partial = partial;
        this.db = db;
        insertProcess = db.prepareStatement("INSERT INTO processes(pid, hostname, exe_path, build_id, go_version,"
                + " capture_time_ns, pause_ns, threads, lost_records, unreadable) VALUES (?,?,?,?,?,?,?,?,?,?)", Statement.RETURN_GENERATED_KEYS);
        insertStack = db.prepareStatement("INSERT INTO stacks(stack_id, frame_count, truncated) VALUES (?,?,?)");
        insertFrame = db.prepareStatement("INSERT INTO frames(stack_id, depth, function, file, line, pc, inlined)"
                + " VALUES (?,?,?,?,?,?,?)");
        insertGoroutine = db.prepareStatement("INSERT INTO goroutines(process_id, goid, status, wait_reason,"
                + " wait_since_ns, created_by, created_by_file, created_by_line, parent_goid, thread_id, stack_id)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    }

    /**
     * Starts a snapshot file at {@code target} (which must not exist yet, so that no
     * snapshot is overwritten by accident), recording the spec it was taken with.
     */
    public static SnapshotWriter create(Path target, String loupeVersion, String hostname, String spec) {
        Path abs = target.toAbsolutePath();
        if (Files.exists(abs)) {
            throw new StoreException(abs + " already exists; choose another name or delete it first");
        }
        Path partial = abs.resolveSibling(abs.getFileName() + ".partial");
        try {
            Files.deleteIfExists(partial);
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + partial);
            try (Statement s = db.createStatement()) {
                // The file is private until commit, so durability per statement buys nothing.
                s.execute("PRAGMA journal_mode=OFF");
                s.execute("PRAGMA synchronous=OFF");
                s.execute("PRAGMA application_id=" + SnapshotSchema.APPLICATION_ID);
                s.execute("PRAGMA user_version=" + SnapshotSchema.FORMAT_VERSION);
                s.executeUpdate(SnapshotSchema.DDL);
            }
            db.setAutoCommit(false);
            try (PreparedStatement p = db.prepareStatement(
                    "INSERT INTO snapshot(format_version, loupe_version, created_at_ns, hostname, spec) VALUES (?,?,?,?,?)")) {
                p.setInt(1, SnapshotSchema.FORMAT_VERSION);
                p.setString(2, loupeVersion);
                java.time.Instant now = java.time.Instant.now();
                p.setLong(3, now.getEpochSecond() * 1_000_000_000L + now.getNano());
                p.setString(4, hostname);
                p.setString(5, spec);
                p.executeUpdate();
            }
            return new SnapshotWriter(abs, partial, db);
        } catch (SQLException | IOException e) {
            deletePartial(partial);
            throw new StoreException("cannot create " + partial + ": " + e.getMessage(), e);
        }
    }

    /** Adds a process and returns its {@code process_id}. */
    public long addProcess(ProcessInfo p) {
        try {
            insertProcess.setInt(1, p.pid());
            insertProcess.setString(2, p.hostname());
            insertProcess.setString(3, p.exePath());
            insertProcess.setString(4, p.buildId());
            insertProcess.setString(5, p.goVersion());
            insertProcess.setLong(6, p.captureTimeNs());
            insertProcess.setLong(7, p.pauseNs());
            insertProcess.setInt(8, p.threads());
            insertProcess.setLong(9, p.lostRecords());
            insertProcess.setLong(10, p.unreadable());
            insertProcess.executeUpdate();
            try (var keys = insertProcess.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Returns the {@code stack_id} of these frames (innermost first), adding the stack if it is new. */
    public long stack(List<Frame> frames, boolean truncated) {
        Long known = stackIds.get(frames);
        if (known != null) {
            return known;
        }
        long id = stackIds.size() + 1L;
        stackIds.put(List.copyOf(frames), id);
        try {
            insertStack.setLong(1, id);
            insertStack.setInt(2, frames.size());
            insertStack.setInt(3, truncated ? 1 : 0);
            insertStack.addBatch();
            for (int depth = 0; depth < frames.size(); depth++) {
                Frame f = frames.get(depth);
                insertFrame.setLong(1, id);
                insertFrame.setInt(2, depth);
                insertFrame.setString(3, f.function());
                insertFrame.setString(4, f.file());
                insertFrame.setInt(5, f.line());
                insertFrame.setLong(6, f.pc());
                insertFrame.setInt(7, f.inlined() ? 1 : 0);
                insertFrame.addBatch();
            }
            countRows(1 + frames.size());
        } catch (SQLException e) {
            throw failure(e);
        }
        return id;
    }

    /** Adds a goroutine of process {@code processId} whose stack is {@code stackId}. */
    public void addGoroutine(long processId, GoroutineInfo g, long stackId) {
        try {
            insertGoroutine.setLong(1, processId);
            insertGoroutine.setLong(2, g.goid());
            insertGoroutine.setString(3, g.status());
            insertGoroutine.setString(4, g.waitReason());
            setNullableLong(insertGoroutine, 5, g.waitSinceNs());
            insertGoroutine.setString(6, g.createdBy());
            insertGoroutine.setString(7, g.createdByFile());
            insertGoroutine.setInt(8, g.createdByLine());
            setNullableLong(insertGoroutine, 9, g.parentGoid());
            setNullableLong(insertGoroutine, 10, g.threadId());
            insertGoroutine.setLong(11, stackId);
            insertGoroutine.addBatch();
            countRows(1);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Flushes, fills in the per-process counts, and moves the file into place. */
    public Path commit() {
        try {
            flush();
            try (Statement s = db.createStatement()) {
                s.executeUpdate("""
                        UPDATE processes SET
                          goroutine_count = (SELECT count(*) FROM goroutines g WHERE g.process_id = processes.process_id),
                          stack_count = (SELECT count(DISTINCT stack_id) FROM goroutines g WHERE g.process_id = processes.process_id),
                          truncated_stacks = (SELECT count(DISTINCT g.stack_id) FROM goroutines g JOIN stacks s USING (stack_id)
                                              WHERE g.process_id = processes.process_id AND s.truncated)""");
            }
            db.commit();
            db.close();
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            committed = true;
            return target;
        } catch (SQLException e) {
            throw failure(e);
        } catch (IOException e) {
            throw new StoreException("cannot move " + partial + " to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Without {@link #commit()}, abandons the snapshot and deletes the partial file. */
    @Override
    public void close() {
        if (committed) {
            return;
        }
        try {
            db.close();
        } catch (SQLException ignored) {
            // The file is deleted next; nothing in it is kept.
        }
        deletePartial(partial);
    }

    private void countRows(int rows) throws SQLException {
        pendingRows += rows;
        if (pendingRows >= BATCH) {
            flush();
        }
    }

    private void flush() throws SQLException {
        insertStack.executeBatch();
        insertFrame.executeBatch();
        insertGoroutine.executeBatch();
        pendingRows = 0;
    }

    private StoreException failure(SQLException e) {
        return new StoreException("writing " + partial + ": " + e.getMessage(), e);
    }

    private static void setNullableLong(PreparedStatement p, int index, Long value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.INTEGER);
        } else {
            p.setLong(index, value);
        }
    }

    private static void deletePartial(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the partial snapshot " + p, e);
        }
    }
}
