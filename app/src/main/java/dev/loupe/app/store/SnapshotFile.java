package dev.loupe.app.store;

import dev.loupe.decoder.Frame;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A snapshot file opened for reading. Snapshot files come from other people and are
 * untrusted: the file is opened read-only, with extension loading off and
 * {@code trusted_schema} off, so SQL inside it can do nothing but read it; and the
 * engine's own reads run on plain tables only (checked on opening), so a view the
 * file brings runs only when a user's query names it, which can be stopped.
 */
public final class SnapshotFile implements AutoCloseable {
    /** The columns every function table starts with. */
    private static final Set<String> KEY_COLUMNS = Set.of("process_id", "goroutine_id", "frame_idx");
    /** SQLite's result code for a statement its progress handler stopped. */
    private static final int SQLITE_INTERRUPT = 9;
    /** How many steps of SQLite's program a query runs between two asks of whether it is to stop. */
    private static final int STOP_CHECK_STEPS = 1000;
    /** SQLite's result code for a file whose pages do not hold together. */
    private static final int SQLITE_CORRUPT = 11;

    /**
     * The tables every read of this class runs on. A file may not put a view, a virtual table or computed columns in
     * their place: those run the file's own SQL, which could take forever.
     */
    private static final List<String> ENGINE_TABLES = List.of("snapshot", "processes", "stacks", "frames", "goroutines");
    /** The format that added {@code locations} and {@code frames.location_id}. */
    private static final int LOCATIONS_VERSION = 4;

    private static final AtomicBoolean PRELOADED = new AtomicBoolean();

    private final Path path;
    private final Connection db;
    /** Its format version ({@code user_version}). */
    private final int version;
    /** The function tables the catalog lists, read once on opening: the file does not change while it is open. */
    private final List<String> functionTables;

    private SnapshotFile(Path path, Connection db, int version, List<String> functionTables) {
        this.path = path;
        this.db = db;
        this.version = version;
        this.functionTables = functionTables;
    }

    /**
     * Loads SQLite (its driver's classes and native library) on a thread of its own, once per JVM: a JVM's first
     * open of a file otherwise starts with that, about 0.2 s. The workstation calls it as its window comes up.
     */
    public static void preload() {
        if (PRELOADED.compareAndSet(false, true)) {
            Thread.ofVirtual().name("sqlite-preload").start(() -> {
                try {
                    new SQLiteConfig().createConnection("jdbc:sqlite::memory:").close();
                } catch (SQLException e) {
                    // Nothing is lost: the first open of a file loads SQLite itself and says what is wrong.
                }
            });
        }
    }

    /** Opens {@code path}, checking that it is a snapshot this version of Loupe can read. */
    public static SnapshotFile open(Path path) {
        if (Files.isDirectory(path)) {
            throw new StoreException(path + " is a directory, not a snapshot file");
        }
        if (!Files.isReadable(path)) {
            throw new StoreException(path + " does not exist or is not readable");
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.enableLoadExtension(false);
        Connection db = null;
        try {
            db = config.createConnection("jdbc:sqlite:file:" + path.toAbsolutePath() + "?mode=ro");
            int version;
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA trusted_schema=OFF");
                s.execute("PRAGMA query_only=ON");
                int app = intPragma(s, "application_id");
                version = intPragma(s, "user_version");
                if (app != SnapshotSchema.APPLICATION_ID) {
                    throw new StoreException(path + " is not a Loupe snapshot (SQLite application_id is " + app + ")");
                }
                if (version > SnapshotSchema.FORMAT_VERSION) {
                    throw new StoreException(path + " was written by a newer Loupe (snapshot format " + version
                            + ", this one reads up to " + SnapshotSchema.FORMAT_VERSION + "); update Loupe to open it");
                }
            }
            return new SnapshotFile(path, db, version, checkEngineTables(path, db, version));
        } catch (SQLException e) {
            closeQuietly(db);
            throw e.getErrorCode() == SQLITE_CORRUPT ? corrupt(path, e)
                    : new StoreException(path + " is not a readable snapshot: " + e.getMessage(), e);
        } catch (StoreException e) {
            closeQuietly(db);
            throw e;
        }
    }

    /**
     * Refuses a file whose engine tables (those, the catalog and the function tables it lists) are not plain tables;
     * the function tables, which are none in a snapshot taken without a spec (or before format 2).
     */
    private static List<String> checkEngineTables(Path path, Connection db, int version) throws SQLException {
        for (String table : ENGINE_TABLES) {
            checkPlainTable(path, db, table);
        }
        if (version >= LOCATIONS_VERSION) {
            checkPlainTable(path, db, "locations");
        }
        List<String> functionTables = new ArrayList<>();
        if (hasTable(db, "function_tables")) {
            // The catalog is checked before it is read.
            checkPlainTable(path, db, "function_tables");
            try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT table_name FROM function_tables")) {
                while (r.next()) {
                    functionTables.add(r.getString(1));
                }
            }
        }
        for (String table : functionTables) {
            checkPlainTable(path, db, table);
        }
        return List.copyOf(functionTables);
    }

    private static void checkPlainTable(Path path, Connection db, String table) throws SQLException {
        String sql;
        try (PreparedStatement p = db.prepareStatement("SELECT type, sql FROM sqlite_schema WHERE name = ?")) {
            p.setString(1, table);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    throw new StoreException(path + " is not a complete snapshot: it has no table " + table
                            + "; ask for the file as loupe snapshot wrote it");
                }
                sql = r.getString(1).equals("table") ? r.getString(2) : "";
            }
        }
        boolean computed;
        try (PreparedStatement p = db.prepareStatement("SELECT count(*) FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3)")) {
            p.setString(1, table);
            try (ResultSet r = p.executeQuery()) {
                computed = r.next() && r.getInt(1) > 0;
            }
        }
        if (!sql.regionMatches(true, 0, "CREATE TABLE", 0, "CREATE TABLE".length()) || computed) {
            throw new StoreException(path + " was not written by Loupe: in place of the table " + table
                    + " it has SQL of its own (a view, a virtual table or computed columns), which Loupe does not run;"
                    + " ask for the file as loupe snapshot wrote it");
        }
    }

    /**
     * A group of goroutines of one process that share one stack.
     *
     * @param states      how many are in each state (the wait reason when waiting, else the status)
     * @param goids       its goroutines, by goid
     * @param goidStates  the state of each of {@code goids}, in the same order
     */
    public record StackGroup(long processId, int pid, String exePath, long stackId, int count,
                             Map<String, Integer> states, Long longestWaitNs, boolean truncated,
                             List<Long> goids, List<Frame> frames, List<String> goidStates) {}

    /**
     * Goroutines grouped by process and identical stack, largest group first. Opening a file reads them, so a row per
     * goroutine holds only what differs between goroutines (a process's and a stack's own columns are read once each),
     * and each text is kept once however many rows repeat it.
     */
    public List<StackGroup> stackGroups() {
        record Process(String exePath, int pid) {}
        Map<String, String> texts = new HashMap<>();
        try {
            Map<Long, List<Frame>> frames = allFrames(texts);
            Set<Long> truncated = new HashSet<>();
            try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT stack_id FROM stacks WHERE truncated")) {
                while (r.next()) {
                    truncated.add(r.getLong(1));
                }
            }
            Map<Long, Process> processes = new HashMap<>();
            try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT process_id, exe_path, pid FROM processes")) {
                while (r.next()) {
                    processes.put(r.getLong(1), new Process(r.getString(2), r.getInt(3)));
                }
            }
            // The state as Go prints it: the wait reason when waiting, else the status. In the table's own order (by
            // goid within a process), which each group keeps and SQLite need not sort for.
            String sql = """
                    SELECT g.process_id, g.stack_id, g.goid, coalesce(nullif(g.wait_reason, ''), g.status),
                           p.capture_time_ns - g.wait_since_ns
                    FROM goroutines g JOIN processes p USING (process_id) ORDER BY g.process_id, g.goid""";
            record Key(long processId, long stackId) {}
            final class Group {
                final List<Long> goids = new ArrayList<>();
                final List<String> goidStates = new ArrayList<>();
                final Map<String, Integer> states = new LinkedHashMap<>();
                Long longest;
            }
            Map<Key, Group> byStack = new LinkedHashMap<>();
            try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
                while (r.next()) {
                    Group g = byStack.computeIfAbsent(new Key(r.getLong(1), r.getLong(2)), k -> new Group());
                    String state = texts.computeIfAbsent(r.getString(4), x -> x);
                    g.goids.add(r.getLong(3));
                    g.goidStates.add(state);
                    g.states.merge(state, 1, Integer::sum);
                    long waited = r.getLong(5);
                    if (!r.wasNull() && (g.longest == null || waited > g.longest)) {
                        g.longest = waited;
                    }
                }
            }
            List<StackGroup> groups = new ArrayList<>(byStack.size());
            byStack.forEach((k, g) -> {
                Process p = processes.get(k.processId());
                groups.add(new StackGroup(k.processId(), p.pid(), p.exePath(), k.stackId(), g.goids.size(), g.states, g.longest,
                        truncated.contains(k.stackId()), List.copyOf(g.goids), frames.getOrDefault(k.stackId(), List.of()),
                        List.copyOf(g.goidStates)));
            });
            groups.sort((a, b) -> a.count() != b.count() ? Integer.compare(b.count(), a.count())
                    : Long.compare(a.goids().getFirst(), b.goids().getFirst()));
            return groups;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Every stack's frames, innermost first, by stack id; {@code texts} keeps each function and file name once. */
    private Map<Long, List<Frame>> allFrames(Map<String, String> texts) throws SQLException {
        Map<Long, List<Frame>> out = new HashMap<>();
        if (version < LOCATIONS_VERSION) {
            try (Statement s = db.createStatement();
                 ResultSet r = s.executeQuery("SELECT stack_id, function, file, line, pc, inlined FROM frames ORDER BY stack_id, depth")) {
                while (r.next()) {
                    out.computeIfAbsent(r.getLong(1), k -> new ArrayList<>()).add(frame(r, 2, texts));
                }
            }
            return out;
        }
        // Each distinct frame once, then each stack's as a list of their ids: a value read through JDBC costs more
        // than SQLite's work, and a stack's frames are mostly the same few locations.
        Map<Long, Frame> locations = new HashMap<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT location_id, function, file, line, pc, inlined FROM locations")) {
            while (r.next()) {
                locations.put(r.getLong(1), frame(r, 2, texts));
            }
        }
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT stack_id, group_concat(location_id ORDER BY depth) FROM frames GROUP BY stack_id")) {
            while (r.next()) {
                long stack = r.getLong(1);
                String ids = Objects.requireNonNullElse(r.getString(2), "");
                List<Frame> frames = new ArrayList<>();
                long id = 0;
                for (int i = 0; i <= ids.length(); i++) {
                    char c = i < ids.length() ? ids.charAt(i) : ',';
                    if (c >= '0' && c <= '9' && id < Long.MAX_VALUE / 10) {
                        id = id * 10 + (c - '0');
                    } else if (c == ',' && i > 0 && locations.containsKey(id)) {
                        frames.add(locations.get(id));
                        id = 0;
                    } else {
                        throw new StoreException(path + " is corrupt (a frame of stack " + stack + " is at no location of"
                                + " its locations table); ask for a fresh copy of the file");
                    }
                }
                out.put(stack, frames);
            }
        }
        return out;
    }

    /** The frame in columns {@code from} to {@code from + 4} (function, file, line, pc, inlined) of the row. */
    private static Frame frame(ResultSet r, int from, Map<String, String> texts) throws SQLException {
        String file = r.getString(from + 1);
        return new Frame(texts.computeIfAbsent(r.getString(from), x -> x), file == null ? null : texts.computeIfAbsent(file, x -> x),
                r.getInt(from + 2), r.getLong(from + 3), r.getInt(from + 4) != 0);
    }

    /**
     * One goroutine: its state, its frames innermost first, and per frame depth the values captured there (by
     * column: SQL numbers and text as read, JSON as text).
     */
    public record GoroutineDetail(long processId, long goid, String status, String waitReason, List<Frame> frames,
                                  Map<Integer, Map<String, Object>> captured) {}

    /** The goroutine {@code goid} of process {@code processId}; empty when the file has no such goroutine. */
    public Optional<GoroutineDetail> goroutine(long processId, long goid) {
        try {
            String status;
            String waitReason;
            try (PreparedStatement p = db.prepareStatement("SELECT status, wait_reason FROM goroutines WHERE process_id = ? AND goid = ?")) {
                p.setLong(1, processId);
                p.setLong(2, goid);
                try (ResultSet r = p.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    status = r.getString(1);
                    waitReason = r.getString(2);
                }
            }
            List<Frame> frames = new ArrayList<>();
            Map<String, String> texts = new HashMap<>();
            try (PreparedStatement p = db.prepareStatement("SELECT f.function, f.file, f.line, f.pc, f.inlined"
                    + " FROM goroutines g JOIN frames f USING (stack_id) WHERE g.process_id = ? AND g.goid = ? ORDER BY f.depth")) {
                p.setLong(1, processId);
                p.setLong(2, goid);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        frames.add(frame(r, 1, texts));
                    }
                }
            }
            Map<Integer, Map<String, Object>> captured = new TreeMap<>();
            for (String table : functionTables) {
                try (PreparedStatement p = db.prepareStatement("SELECT * FROM " + quoted(table)
                        + " WHERE process_id = ? AND goroutine_id = ?")) {
                    p.setLong(1, processId);
                    p.setLong(2, goid);
                    try (ResultSet r = p.executeQuery()) {
                        var meta = r.getMetaData();
                        while (r.next()) {
                            Map<String, Object> values = captured.computeIfAbsent(r.getInt("frame_idx"), k -> new LinkedHashMap<>());
                            for (int i = 1; i <= meta.getColumnCount(); i++) {
                                String column = meta.getColumnLabel(i);
                                if (!KEY_COLUMNS.contains(column)) {
                                    values.put(column, r.getObject(i));
                                }
                            }
                        }
                    }
                }
            }
            return Optional.of(new GoroutineDetail(processId, goid, status, waitReason, frames, captured));
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static boolean hasTable(Connection db, String name) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT 1 FROM sqlite_schema WHERE name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        }
    }

    /** The goroutines with a row in some function table, as {process_id, goid}. */
    public Set<List<Long>> goroutinesWithData() {
        Set<List<Long>> out = new HashSet<>();
        try {
            for (String table : functionTables) {
                try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT DISTINCT process_id, goroutine_id FROM "
                        + quoted(table))) {
                    while (r.next()) {
                        out.add(List.of(r.getLong(1), r.getLong(2)));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** An SQL identifier for {@code name}. */
    private static String quoted(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** What a table of the file is. */
    public enum TableKind {
        /** A function's table: a row per frame of it, with the values the spec captured there. */
        FUNCTION("Function tables"),
        /** One of the engine's own tables and views, the same in every snapshot. */
        BUILT_IN("Built-in"),
        /** Any other table or view the file holds. */
        OTHER("Other");

        private final String title;

        TableKind(String title) {
            this.title = title;
        }

        /** How the Tables view heads the tables of this kind. */
        public String title() {
            return title;
        }
    }

    /** A table or view of the file; {@code rows} is null for a view (counting it would run it). */
    public record TableInfo(String name, TableKind kind, boolean view, Long rows) {}

    /** The file's tables and views: function tables first, then the built-in ones, then any other; by name in each. */
    public List<TableInfo> tables() {
        List<TableInfo> out = new ArrayList<>();
        try {
            try (Statement s = db.createStatement();
                 ResultSet r = s.executeQuery("SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view')"
                         + " AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
                while (r.next()) {
                    String name = r.getString(1);
                    boolean view = r.getString(2).equals("view");
                    TableKind kind = functionTables.contains(name) ? TableKind.FUNCTION
                            : SnapshotSchema.BUILT_IN_NAMES.contains(name) ? TableKind.BUILT_IN : TableKind.OTHER;
                    out.add(new TableInfo(name, kind, view, view ? null : count(name)));
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        out.sort(Comparator.comparing(TableInfo::kind));
        return out;
    }

    private long count(String table) {
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM " + quoted(table))) {
            return r.next() ? r.getLong(1) : 0;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** The result of a query: its columns, at most the rows asked for, and whether there were more. */
    public record QueryResult(List<String> columns, List<List<Object>> rows, boolean more) {}

    /**
     * Runs {@code sql} on the file, read-only (the connection cannot write, nor load extensions, nor trust the file's
     * own schema), keeping at most {@code maxRows} rows.
     *
     * @throws StoreException with SQLite's message for SQL that does not run
     */
    public QueryResult query(String sql, int maxRows) {
        return query(sql, maxRows, () -> false);
    }

    /**
     * The same, stopping as soon as {@code stop} says so, from any thread, whether the query runs already or is yet
     * to: a query over a view that takes too long (a file from someone else may bring one that never ends).
     *
     * @throws StoreException "the query was stopped", or SQLite's message for SQL that does not run
     */
    public QueryResult query(String sql, int maxRows, BooleanSupplier stop) {
        try {
            // SQLite asks every few thousand steps of its program; only this query's, so that no other read is stopped.
            ProgressHandler.setHandler(db, STOP_CHECK_STEPS, new ProgressHandler() {
                @Override
                protected int progress() {
                    return stop.getAsBoolean() ? 1 : 0;
                }
            });
            try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
                int n = r.getMetaData().getColumnCount();
                List<String> columns = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    columns.add(r.getMetaData().getColumnLabel(i));
                }
                List<List<Object>> rows = new ArrayList<>();
                boolean more = false;
                while (r.next()) {
                    if (rows.size() == maxRows) {
                        more = true;
                        break;
                    }
                    List<Object> row = new ArrayList<>(n);
                    for (int i = 1; i <= n; i++) {
                        row.add(r.getObject(i));
                    }
                    rows.add(row);
                }
                return new QueryResult(columns, rows, more);
            } finally {
                ProgressHandler.clearHandler(db);
            }
        } catch (SQLException e) {
            throw new StoreException(e.getErrorCode() == SQLITE_INTERRUPT ? "the query was stopped" : e.getMessage(), e);
        }
    }

    /** When the snapshot was taken, in Unix nanoseconds. */
    public long createdAtNs() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT created_at_ns FROM snapshot")) {
            return r.next() ? r.getLong(1) : 0;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        closeQuietly(db);
    }

    private StoreException failure(SQLException e) {
        return e.getErrorCode() == SQLITE_CORRUPT ? corrupt(path, e) : new StoreException("reading " + path + ": " + e.getMessage(), e);
    }

    private static StoreException corrupt(Path path, SQLException e) {
        return new StoreException(path + " is corrupt (" + e.getMessage() + "); ask for a fresh copy of the file", e);
    }

    private static int intPragma(Statement s, String name) throws SQLException {
        try (ResultSet r = s.executeQuery("PRAGMA " + name)) {
            return r.next() ? r.getInt(1) : 0;
        }
    }

    private static void closeQuietly(Connection db) {
        if (db == null) {
            return;
        }
        try {
            db.close();
        } catch (SQLException ignored) {
            // Closing a read-only connection loses nothing.
        }
    }
}
