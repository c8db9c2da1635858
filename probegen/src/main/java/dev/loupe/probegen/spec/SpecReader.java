package dev.loupe.probegen.spec;

import com.fasterxml.jackson.core.JsonToken;
import dev.loupe.probegen.spec.YamlTree.Entry;
import dev.loupe.probegen.spec.YamlTree.Mapping;
import dev.loupe.probegen.spec.YamlTree.Node;
import dev.loupe.probegen.spec.YamlTree.Scalar;
import dev.loupe.probegen.spec.YamlTree.Sequence;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a spec file (docs/spec.md): checks its shape, every key, value, column name and the syntax of every
 * expression, and reports all problems at once, each with its line and column. Whether the functions and variables
 * exist is for {@link SpecResolver} to say, against a binary.
 */
public final class SpecReader {
    /** The columns every function table has already (docs/snapshot-format.md). */
    static final Set<String> RESERVED_COLUMNS = Set.of("process_id", "goroutine_id", "frame_idx");
    private static final Pattern SQL_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern NOT_IDENTIFIER = Pattern.compile("[^A-Za-z0-9_]+");

    private static final List<String> ROOT_KEYS = List.of("functions", "limits");
    private static final List<String> FUNCTION_KEYS = List.of("function", "capture", "columns");
    private static final List<String> CAPTURE_KEYS = List.of("expr", "name");
    private static final List<String> COLUMN_KEYS = List.of("name", "sql");
    private static final List<String> LIMIT_KEYS = List.of("string_bytes", "slice_bytes", "map_bytes", "pointer_depth", "snapshot_bytes");

    private final String source;
    private final List<Problem> problems = new ArrayList<>();

    private SpecReader(String source) {
        this.source = source;
    }

    /**
     * Reads the spec in {@code file} (UTF-8); problems name the file as {@code file.toString()}.
     *
     * @throws SpecException if the file cannot be read or the spec has problems
     */
    public static Spec read(Path file) throws SpecException {
        return parse(text(file), file.toString());
    }

    /**
     * The text of the spec file {@code file} (UTF-8), not yet read as a spec: what an editor opens.
     *
     * @throws SpecException with one problem about the whole file if it cannot be read
     */
    public static String text(Path file) throws SpecException {
        String source = file.toString();
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new SpecException(List.of(new Problem(source, 0, 0, "no such file; check the path")));
        } catch (AccessDeniedException e) {
            throw new SpecException(List.of(new Problem(source, 0, 0, "permission denied; check the file's permissions")));
        } catch (CharacterCodingException e) {
            throw new SpecException(List.of(new Problem(source, 0, 0, "not UTF-8 text; save the spec as UTF-8")));
        } catch (IOException e) {
            throw new SpecException(List.of(new Problem(source, 0, 0, "cannot read the file (" + e + ")")));
        }
    }

    /**
     * Reads the spec in {@code yaml}.
     *
     * @param source the file name to report problems against
     * @throws SpecException with every problem found
     */
    public static Spec parse(String yaml, String source) throws SpecException {
        SpecReader r = new SpecReader(source);
        Spec spec = r.spec(yaml);
        if (!r.problems.isEmpty()) {
            throw new SpecException(r.problems);
        }
        return spec;
    }

    private Spec spec(String yaml) {
        int syntaxProblems = problems.size();
        Optional<Node> root = YamlTree.parse(yaml, source, problems);
        if (root.isEmpty()) {
            if (problems.size() == syntaxProblems) {
                problem(new Position(1, 1), "the spec lists no functions; add a 'functions:' list with at least one '- function: NAME'");
            }
            return null;
        }
        if (reported(root.get())) {
            return null;
        }
        if (!(root.get() instanceof Mapping m)) {
            problem(root.get().position(), "a spec is a mapping with the keys " + String.join(", ", ROOT_KEYS) + ", not " + describe(root.get())
                    + "; start with 'functions:'");
            return null;
        }
        Map<String, Node> keys = keys(m, ROOT_KEYS);
        List<FunctionSpec> functions = functions(keys.get("functions"), m.position());
        Limits limits = limits(keys.get("limits"));
        return new Spec(source, yaml, functions, limits);
    }

    private List<FunctionSpec> functions(Node node, Position rootAt) {
        String none = "the spec lists no functions; add at least one '- function: NAME' under 'functions'";
        if (node == null) {
            problem(rootAt, none);
            return List.of();
        }
        if (reported(node)) {
            return List.of();
        }
        if (isNull(node) || node instanceof Sequence s && s.items().isEmpty()) {
            problem(node.position(), none);
            return List.of();
        }
        List<FunctionSpec> out = new ArrayList<>();
        Map<String, Position> seen = new HashMap<>();
        for (Node item : list(node, "functions", "a list of functions (- function: NAME)")) {
            if (reported(item)) {
                continue;
            }
            if (!(item instanceof Mapping m)) {
                problem(item.position(), "a function entry is a mapping (function: NAME, capture: ..., columns: ...), not " + describe(item)
                        + "; start it with '- function: NAME'");
                continue;
            }
            Map<String, Node> keys = keys(m, FUNCTION_KEYS);
            Optional<Scalar> name = string(keys.get("function"), "function", m.position(),
                    "give the function's name as 'go tool nm' prints it, e.g. main.(*Server).handle");
            List<CaptureSpec> captures = new ArrayList<>();
            Map<String, Position> columns = new LinkedHashMap<>();
            for (Node c : list(keys.get("capture"), "capture", "a list of expressions (- expr: EXPR)")) {
                capture(c, columns).ifPresent(captures::add);
            }
            List<ColumnSpec> extra = new ArrayList<>();
            for (Node c : list(keys.get("columns"), "columns", "a list of extra columns (- name: NAME, sql: SQL)")) {
                column(c, columns).ifPresent(extra::add);
            }
            if (name.isEmpty()) {
                continue;
            }
            String function = name.get().text().strip();
            Position first = seen.putIfAbsent(function, name.get().textStart());
            if (first != null) {
                problem(name.get().textStart(), "function " + function + " is listed twice (first at line " + first.line()
                        + "); merge the two entries");
            }
            out.add(new FunctionSpec(function, captures, extra, name.get().textStart()));
        }
        return out;
    }

    private Optional<CaptureSpec> capture(Node node, Map<String, Position> columns) {
        if (reported(node)) {
            return Optional.empty();
        }
        if (!(node instanceof Mapping m)) {
            problem(node.position(), "a capture is a mapping (expr: EXPR, name: NAME), not " + describe(node) + "; write '- expr: " + textOf(node) + "'");
            return Optional.empty();
        }
        Map<String, Node> keys = keys(m, CAPTURE_KEYS);
        Optional<Scalar> expr = string(keys.get("expr"), "expr", m.position(), "write the Go expression to capture, e.g. req.URL.Path");
        Optional<Scalar> explicit = keys.containsKey("name")
                ? string(keys.get("name"), "name", m.position(), "give the column a name, or leave 'name' out to derive one") : Optional.empty();
        if (expr.isEmpty()) {
            return Optional.empty();
        }
        String text = expr.get().text();
        Position at = expr.get().textStart();
        boolean parses = true;
        try {
            ExprParser.parse(text);
        } catch (ExprSyntaxException e) {
            problem(expr.get().at(e.column()), e.getMessage());
            parses = false;
        }
        if (explicit.isPresent()) {
            String name = explicit.get().text();
            return columnName(name, explicit.get().textStart(), columns) ? Optional.of(new CaptureSpec(text, name, at)) : Optional.empty();
        }
        if (!parses) {
            return Optional.empty();
        }
        String derived = derivedName(text);
        String ask = "; give this capture a 'name'";
        if (!SQL_IDENTIFIER.matcher(derived).matches()) {
            problem(at, "no column name can be derived from '" + text + "'" + ask);
        } else if (RESERVED_COLUMNS.contains(derived.toLowerCase(Locale.ROOT))) {
            problem(at, "the column name derived from '" + text + "', " + derived + ", is one every function table has" + ask);
        } else if (columns.containsKey(derived.toLowerCase(Locale.ROOT))) {
            problem(at, "the column name derived from '" + text + "', " + derived + ", is already used at line "
                    + columns.get(derived.toLowerCase(Locale.ROOT)).line() + ask);
        } else {
            columns.put(derived.toLowerCase(Locale.ROOT), at);
            return Optional.of(new CaptureSpec(text, derived, at));
        }
        return Optional.empty();
    }

    private Optional<ColumnSpec> column(Node node, Map<String, Position> columns) {
        if (reported(node)) {
            return Optional.empty();
        }
        if (!(node instanceof Mapping m)) {
            problem(node.position(), "an extra column is a mapping (name: NAME, sql: SQL), not " + describe(node) + "; write '- name: NAME' and 'sql: SQL'");
            return Optional.empty();
        }
        Map<String, Node> keys = keys(m, COLUMN_KEYS);
        Optional<Scalar> name = string(keys.get("name"), "name", m.position(), "give the extra column a name");
        Optional<Scalar> sql = string(keys.get("sql"), "sql", m.position(), "give an SQL expression over the captured columns, e.g. length(path)");
        if (name.isEmpty() || !columnName(name.get().text(), name.get().textStart(), columns) || sql.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ColumnSpec(name.get().text(), sql.get().text(), name.get().textStart()));
    }

    /** Checks a column name the file gives, and claims it; false (with a problem) when it cannot be used. */
    private boolean columnName(String name, Position at, Map<String, Position> columns) {
        String key = name.toLowerCase(Locale.ROOT);
        if (!SQL_IDENTIFIER.matcher(name).matches()) {
            problem(at, "column name '" + name + "' is not an SQL identifier; use letters, digits and '_', not starting with a digit");
        } else if (RESERVED_COLUMNS.contains(key)) {
            problem(at, "column name " + name + " is one every function table has; choose another name");
        } else if (columns.containsKey(key)) {
            problem(at, "column name " + name + " is already used at line " + columns.get(key).line()
                    + "; column names must be unique within a function (ignoring case, as SQLite does)");
        } else {
            columns.put(key, at);
            return true;
        }
        return false;
    }

    /**
     * The column name for an expression without one: each run of characters outside {@code [A-Za-z0-9_]} becomes
     * one '_', and '_' at either end goes ({@code req.URL.Path} is {@code req_URL_Path}, {@code *p} is {@code p}).
     */
    static String derivedName(String expr) {
        return NOT_IDENTIFIER.matcher(expr).replaceAll("_").replaceAll("^_+|_+$", "");
    }

    private Limits limits(Node node) {
        if (node == null || isNull(node) || reported(node)) {
            return Limits.DEFAULT;
        }
        if (!(node instanceof Mapping m)) {
            problem(node.position(), "'limits' must be a mapping (string_bytes: 512, ...), not " + describe(node) + "; see docs/spec.md");
            return Limits.DEFAULT;
        }
        Map<String, Node> keys = keys(m, LIMIT_KEYS);
        Limits d = Limits.DEFAULT;
        return new Limits(
                (int) limit(keys.get("string_bytes"), "string_bytes", 1, Limits.MAX_BYTES, d.stringBytes()),
                (int) limit(keys.get("slice_bytes"), "slice_bytes", 1, Limits.MAX_BYTES, d.sliceBytes()),
                (int) limit(keys.get("map_bytes"), "map_bytes", 1, Limits.MAX_BYTES, d.mapBytes()),
                (int) limit(keys.get("pointer_depth"), "pointer_depth", 0, Limits.MAX_POINTER_DEPTH, d.pointerDepth()),
                limit(keys.get("snapshot_bytes"), "snapshot_bytes", 1, Limits.MAX_BYTES, d.snapshotBytes()));
    }

    private long limit(Node node, String key, long min, long max, long fallback) {
        if (node == null) {
            return fallback;
        }
        String want = key + " must be an integer from " + min + " to " + max;
        if (reported(node)) {
            return fallback;
        }
        if (!(node instanceof Scalar s) || s.integer().isEmpty()) {
            problem(node.position(), want + ", not " + describe(node) + "; leave it out for the default, " + fallback);
            return fallback;
        }
        BigInteger v = s.integer().get();
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            problem(node.position(), want + ", not " + v + "; leave it out for the default, " + fallback);
            return fallback;
        }
        return v.longValueExact();
    }

    /**
     * The values of a mapping by key, reporting unknown and repeated keys (the first of a repeated key counts).
     */
    private Map<String, Node> keys(Mapping m, List<String> allowed) {
        Map<String, Node> out = new HashMap<>();
        Map<String, Position> at = new HashMap<>();
        for (Entry e : m.entries()) {
            if (!allowed.contains(e.key())) {
                String hint = Suggestions.closest(e.key(), allowed).stream().findFirst().map(s -> " (did you mean '" + s + "'?)").orElse("");
                problem(e.keyPosition(), "unknown key '" + e.key() + "'" + hint + "; the keys allowed here are " + String.join(", ", allowed));
            } else if (at.containsKey(e.key())) {
                problem(e.keyPosition(), "key '" + e.key() + "' is given twice (first at line " + at.get(e.key()).line() + "); keep one");
            } else {
                at.put(e.key(), e.keyPosition());
                out.put(e.key(), e.value());
            }
        }
        return out;
    }

    /** The items of a list-valued key; none for a missing or null value, none (with a problem) for a non-list. */
    private List<Node> list(Node node, String key, String what) {
        if (node == null || isNull(node) || reported(node)) {
            return List.of();
        }
        if (!(node instanceof Sequence s)) {
            problem(node.position(), "'" + key + "' must be " + what + ", not " + describe(node) + "; write each entry on a line starting with '- '");
            return List.of();
        }
        return s.items();
    }

    /** A required string-valued key (numbers and booleans count as their text); empty, with a problem, otherwise. */
    private Optional<Scalar> string(Node node, String key, Position entry, String todo) {
        if (node == null) {
            problem(entry, "'" + key + "' is missing; " + todo);
            return Optional.empty();
        }
        if (reported(node)) {
            return Optional.empty();
        }
        if (!(node instanceof Scalar s) || s.text().isBlank()) {
            problem(node.position(), "'" + key + "' must be a string, not " + describe(node) + "; " + todo);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    /** True for a key without a value: YAML's null, or nothing at all after the colon. */
    private static boolean isNull(Node node) {
        return node instanceof Scalar s && (s.token() == JsonToken.VALUE_NULL || s.text().isEmpty() && s.textStart().equals(s.position()));
    }

    /** True for a node that a problem was reported about already (an alias, too deep a nesting). */
    private static boolean reported(Node node) {
        return node instanceof Scalar s && s.token() == JsonToken.NOT_AVAILABLE;
    }

    /** What a node is, for messages: "a list", "the number 5". */
    private static String describe(Node node) {
        return switch (node) {
            case Mapping m -> "a mapping";
            case Sequence s -> "a list";
            case Scalar s when s.token() == JsonToken.VALUE_NULL || s.token() == JsonToken.NOT_AVAILABLE || s.text().isBlank() -> "nothing";
            case Scalar s when s.token().isNumeric() -> "the number " + s.text();
            case Scalar s when s.token().isBoolean() -> "the boolean " + s.text();
            case Scalar s -> "the string '" + (s.text().length() > 40 ? s.text().substring(0, 40) + "..." : s.text()) + "'";
        };
    }

    private static String textOf(Node node) {
        return node instanceof Scalar s && !s.text().isBlank() ? s.text() : "EXPR";
    }

    private void problem(Position at, String message) {
        problems.add(Problem.at(source, at, message));
    }
}
