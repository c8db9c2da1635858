package dev.loupe.app.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.loupe.decoder.Frame;
import dev.loupe.decoder.GoroutineInfo;
import dev.loupe.decoder.ValueForm;
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
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a snapshot file. Rows go to {@code FILE.partial} next to the target and the
 * file is renamed into place only by {@link #commit()}: a snapshot that failed half
 * way leaves nothing that looks complete. Identical stacks are stored once.
 */
public final class SnapshotWriter implements AutoCloseable {
    private static final int BATCH = 10_000;
    private static final int COMPOUND_TERMS = 400;

    private final Path target;
    private final Path partial;
    private final Connection db;
    private final PreparedStatement insertProcess;
    private final PreparedStatement insertStack;
    private final PreparedStatement insertLocation;
    private final PreparedStatement insertFrame;
    private final PreparedStatement insertGoroutine;
    private final Map<List<Frame>, Long> stackIds = new HashMap<>();
    private final Map<Frame, Long> locationIds = new HashMap<>();
    private final Map<FunctionTable, Table> tables = new LinkedHashMap<>();
    private int pendingRows;
    private boolean committed;

    private SnapshotWriter(Path target, Path partial, Connection db) throws SQLException {
        this.target = target;
        this.partial = partial;
        this.db = db;
        insertProcess = db.prepareStatement("INSERT INTO processes(pid, hostname, exe_path, build_id, go_version,"
                + " capture_time_ns, pause_ns, threads, lost_records, unreadable) VALUES (?,?,?,?,?,?,?,?,?,?)", Statement.RETURN_GENERATED_KEYS);
        insertStack = db.prepareStatement("INSERT INTO stacks(stack_id, frame_count, truncated) VALUES (?,?,?)");
        insertLocation = db.prepareStatement("INSERT INTO locations(location_id, function, file, line, pc, inlined) VALUES (?,?,?,?,?,?)");
        insertFrame = db.prepareStatement("INSERT INTO frames(stack_id, depth, function, file, line, pc, inlined, location_id)"
                + " VALUES (?,?,?,?,?,?,?,?)");
        insertGoroutine = db.prepareStatement("INSERT INTO goroutines(process_id, goid, status, wait_reason,"
                + " wait_since_ns, created_by, created_by_file, created_by_line, parent_goid, thread_id, stack_id)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    }

    /**
     * Starts a snapshot file at {@code target} (which must not exist yet, so that no
     * snapshot is overwritten by accident), recording the spec it was taken with and the form its captured values
     * are in.
     */
    public static SnapshotWriter create(Path target, String loupeVersion, String hostname, String spec, ValueForm valueForm) {
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
                    "INSERT INTO snapshot(format_version, loupe_version, created_at_ns, hostname, spec, value_form) VALUES (?,?,?,?,?,?)")) {
                p.setInt(1, SnapshotSchema.FORMAT_VERSION);
                p.setString(2, loupeVersion);
                java.time.Instant now = java.time.Instant.now();
                p.setLong(3, now.getEpochSecond() * 1_000_000_000L + now.getNano());
                p.setString(4, hostname);
                p.setString(5, spec);
                p.setString(6, valueForm.fileName());
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
                long location = location(f);
                insertFrame.setLong(1, id);
                insertFrame.setInt(2, depth);
                insertFrame.setString(3, f.function());
                insertFrame.setString(4, f.file());
                insertFrame.setInt(5, f.line());
                insertFrame.setLong(6, f.pc());
                insertFrame.setInt(7, f.inlined() ? 1 : 0);
                insertFrame.setLong(8, location);
                insertFrame.addBatch();
            }
            countRows(1 + frames.size());
        } catch (SQLException e) {
            throw failure(e);
        }
        return id;
    }

    /** The {@code location_id} of a frame, adding the location if it is new. */
    private long location(Frame f) throws SQLException {
        Long known = locationIds.get(f);
        if (known != null) {
            return known;
        }
        long id = locationIds.size() + 1L;
        locationIds.put(f, id);
        insertLocation.setLong(1, id);
        insertLocation.setString(2, f.function());
        insertLocation.setString(3, f.file());
        insertLocation.setInt(4, f.line());
        insertLocation.setLong(5, f.pc());
        insertLocation.setInt(6, f.inlined() ? 1 : 0);
        insertLocation.addBatch();
        countRows(1);
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

    private record Table(String name, FunctionTable spec, PreparedStatement insert) {}

    /**
     * Creates the function table for {@code t} (once; later calls return the same), named after the function with
     * what is not a letter, digit or underscore replaced by {@code _}, and lists it in {@code function_tables}.
     */
    public String functionTable(FunctionTable t) {
        Table known = tables.get(t);
        if (known != null) {
            return known.name();
        }
        String base = t.function().replaceAll("[^A-Za-z0-9_]+", "_").replaceAll("^_+|_+$", "");
        String name = base.isEmpty() ? "fn" : base;
        for (int n = 2; nameTaken(name); n++) {
            name = base + "_" + n;
        }
        try (Statement s = db.createStatement()) {
            StringBuilder ddl = new StringBuilder("CREATE TABLE " + quote(name)
                    + " (process_id INTEGER NOT NULL REFERENCES processes(process_id), goroutine_id INTEGER NOT NULL, frame_idx INTEGER NOT NULL");
            StringBuilder insert = new StringBuilder("INSERT INTO " + quote(name) + " VALUES (?,?,?");
            for (FunctionTable.Capture c : t.captures()) {
                // No declared type: scalars keep their SQL type (so WHERE id > 3 compares numbers), the rest is JSON text.
                ddl.append(", ").append(quote(c.name()));
                insert.append(",?");
            }
            s.executeUpdate(ddl.append(", PRIMARY KEY (process_id, goroutine_id, frame_idx))").toString());
            try (PreparedStatement catalog = db.prepareStatement(
                    "INSERT INTO function_tables(table_name, function, columns) VALUES (?,?,?)")) {
                catalog.setString(1, name);
                catalog.setString(2, t.function());
                catalog.setString(3, columnsJson(t));
                catalog.executeUpdate();
            }
            Table table = new Table(name, t, db.prepareStatement(insert.append(")").toString()));
            tables.put(t, table);
            return name;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private boolean nameTaken(String name) {
        return tables.values().stream().anyMatch(t -> t.name().equalsIgnoreCase(name))
                || SnapshotSchema.BUILT_IN_NAMES.contains(name.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * Adds a row to {@code t}'s table: the frame {@code frameIdx} (a depth of {@code goroutine_frames}) of a
     * goroutine, with one value per capture: a {@code Long}, {@code Double}, {@code String} or {@code null}.
     */
    public void addCapturedFrame(FunctionTable t, long processId, long goid, int frameIdx, List<Object> values) {
        Table table = tables.get(t);
        if (table == null) {
            throw new IllegalStateException("no function table for " + t.function());
        }
        try {
            PreparedStatement p = table.insert();
            p.setLong(1, processId);
            p.setLong(2, goid);
            p.setInt(3, frameIdx);
            for (int i = 0; i < t.captures().size(); i++) {
                Object v = i < values.size() ? values.get(i) : null;
                switch (v) {
                    case null -> p.setNull(4 + i, Types.NULL);
                    case Long l -> p.setLong(4 + i, l);
                    case Double d -> p.setDouble(4 + i, d);
                    default -> p.setString(4 + i, v.toString());
                }
            }
            p.executeUpdate();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Adds the extra columns and the {@code all_captured_data} view, once every row is in. */
    private void finishFunctionTables() throws SQLException {
        try (Statement s = db.createStatement()) {
            List<String> selects = new ArrayList<>();
            for (Table t : tables.values()) {
                for (FunctionTable.Extra e : t.spec().extras()) {
                    s.executeUpdate("ALTER TABLE " + quote(t.name()) + " ADD COLUMN " + quote(e.name()));
                    try {
                        s.executeUpdate("UPDATE " + quote(t.name()) + " SET " + quote(e.name()) + " = (" + e.sql() + ")");
                    } catch (SQLException bad) {
                        throw new StoreException("the extra column " + e.name() + " of " + t.spec().function() + " has SQL that SQLite rejects ("
                                + e.sql() + "): " + bad.getMessage() + "; fix it in the spec", bad);
                    }
                }
                if (!t.spec().captures().isEmpty()) {
                    // One term per table: its columns unpivoted through json_each (a compound SELECT has at most 500 terms).
                    List<String> pairs = new ArrayList<>();
                    for (FunctionTable.Capture c : t.spec().captures()) {
                        pairs.add(literal(c.expr()) + ", " + quote(c.name()));
                    }
                    selects.add("SELECT " + literal(t.name()) + " AS table_name, process_id, goroutine_id, j.key AS expr,"
                            + " CAST(j.value AS TEXT) AS value FROM " + quote(t.name()) + ", json_each(json_object("
                            + String.join(", ", pairs) + ")) j WHERE j.value IS NOT NULL");
                }
            }
            s.executeUpdate("CREATE VIEW all_captured_data AS " + unionAll(selects));
        }
    }

    /** {@code selects} as one query, in nested groups: SQLite allows at most 500 terms per compound SELECT. */
    private static String unionAll(List<String> selects) {
        if (selects.isEmpty()) {
            return "SELECT NULL AS table_name, NULL AS process_id, NULL AS goroutine_id, NULL AS expr, NULL AS value WHERE 0";
        }
        if (selects.size() <= COMPOUND_TERMS) {
            return String.join(" UNION ALL ", selects);
        }
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < selects.size(); i += COMPOUND_TERMS) {
            groups.add("SELECT * FROM (" + String.join(" UNION ALL ", selects.subList(i, Math.min(selects.size(), i + COMPOUND_TERMS))) + ")");
        }
        return unionAll(groups);
    }

    private static String columnsJson(FunctionTable t) {
        ArrayNode columns = JsonNodeFactory.instance.arrayNode();
        t.captures().forEach(c -> columns.addObject().put("name", c.name()).put("expr", c.expr()).put("type", c.goType()));
        t.extras().forEach(e -> columns.addObject().put("name", e.name()).put("sql", e.sql()));
        return columns.toString();
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** Flushes, fills in the per-process counts, and moves the file into place. */
    public Path commit() {
        try {
            flush();
            finishFunctionTables();
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
        insertLocation.executeBatch();
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
