package dev.loupe.app.store;

/**
 * The snapshot file's schema, version {@link #FORMAT_VERSION}. It is a contract with
 * users and other tools: docs/snapshot-format.md describes every table and column,
 * and any change here changes that document and the version.
 */
final class SnapshotSchema {
    /** {@code PRAGMA application_id}: "LOUP", so tools can tell a snapshot from any SQLite file. */
    static final int APPLICATION_ID = 0x4C4F5550;
    /** {@code PRAGMA user_version}: the format version this code writes and reads. */
    static final int FORMAT_VERSION = 4;

    static final String DDL = """
            CREATE TABLE snapshot (
              format_version INTEGER NOT NULL,
              loupe_version  TEXT,
              created_at_ns  INTEGER NOT NULL,
              hostname       TEXT,
              spec           TEXT,
              value_form     TEXT NOT NULL
            );
            CREATE TABLE processes (
              process_id       INTEGER PRIMARY KEY,
              pid              INTEGER NOT NULL,
              hostname         TEXT,
              exe_path         TEXT,
              build_id         TEXT,
              go_version       TEXT,
              capture_time_ns  INTEGER,
              pause_ns         INTEGER,
              threads          INTEGER,
              lost_records     INTEGER NOT NULL DEFAULT 0,
              unreadable       INTEGER NOT NULL DEFAULT 0,
              goroutine_count  INTEGER NOT NULL DEFAULT 0,
              stack_count      INTEGER NOT NULL DEFAULT 0,
              truncated_stacks INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE stacks (
              stack_id    INTEGER PRIMARY KEY,
              frame_count INTEGER NOT NULL,
              truncated   INTEGER NOT NULL
            );
            CREATE TABLE locations (
              location_id INTEGER PRIMARY KEY,
              function    TEXT NOT NULL,
              file        TEXT,
              line        INTEGER,
              pc          INTEGER,
              inlined     INTEGER NOT NULL
            );
            CREATE TABLE frames (
              stack_id    INTEGER NOT NULL REFERENCES stacks(stack_id),
              depth       INTEGER NOT NULL,
              function    TEXT NOT NULL,
              file        TEXT,
              line        INTEGER,
              pc          INTEGER,
              inlined     INTEGER NOT NULL,
              location_id INTEGER NOT NULL REFERENCES locations(location_id),
              PRIMARY KEY (stack_id, depth)
            ) WITHOUT ROWID;
            CREATE TABLE goroutines (
              process_id      INTEGER NOT NULL REFERENCES processes(process_id),
              goid            INTEGER NOT NULL,
              status          TEXT NOT NULL,
              wait_reason     TEXT,
              wait_since_ns   INTEGER,
              created_by      TEXT,
              created_by_file TEXT,
              created_by_line INTEGER,
              parent_goid     INTEGER,
              thread_id       INTEGER,
              stack_id        INTEGER REFERENCES stacks(stack_id),
              PRIMARY KEY (process_id, goid)
            ) WITHOUT ROWID;
            CREATE INDEX goroutines_by_stack ON goroutines(stack_id);
            CREATE TABLE function_tables (
              table_name TEXT PRIMARY KEY,
              function   TEXT NOT NULL,
              columns    TEXT NOT NULL
            );
            CREATE VIEW goroutine_frames AS
              SELECT g.process_id, g.goid, f.depth, f.function, f.file, f.line, f.pc, f.inlined
              FROM goroutines g JOIN frames f ON f.stack_id = g.stack_id;
            """;

    /** Names function tables may not take. */
    static final java.util.Set<String> BUILT_IN_NAMES = java.util.Set.of("snapshot", "processes", "stacks", "locations", "frames", "goroutines",
            "goroutine_frames", "function_tables", "all_captured_data");

    private SnapshotSchema() {}
}
