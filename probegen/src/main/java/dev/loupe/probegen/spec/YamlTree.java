package dev.loupe.probegen.spec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A YAML document as a tree whose every node and key knows its position: Jackson's tree model drops them, so the
 * tree is built here from Jackson's streaming YAML parser. Aliases and extra documents are problems, a syntax
 * error is one problem at SnakeYAML's mark.
 */
final class YamlTree {
    /** Deeper nesting than this is no spec: it is refused before it can exhaust the stack. */
    private static final int MAX_DEPTH = 32;
    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    /** A node of the tree. */
    sealed interface Node {
        Position position();
    }

    /**
     * A scalar: its text, the token YAML's core schema gives it (string, number, boolean, null; {@code
     * NOT_AVAILABLE} for a node replaced after a problem was reported about it) and, for an integer, its value.
     *
     * @param textStart where the text itself starts: after the quote of a quoted scalar
     * @param verbatim  true when the text stands as is on one line from {@code textStart} (no escapes, no folding),
     *                  so that its n-th character is n - 1 columns to the right
     */
    record Scalar(String text, JsonToken token, Optional<BigInteger> integer, Position position, Position textStart,
                  boolean verbatim) implements Node {
        /** Where the text's {@code column}-th character is, when that can be told; else where the value starts. */
        Position at(int column) {
            return verbatim ? textStart.plusColumns(column - 1) : position;
        }
    }

    /** A mapping, its entries in file order (duplicates kept, for the reader to report). */
    record Mapping(List<Entry> entries, Position position) implements Node {}

    /** A key of a mapping and its value. */
    record Entry(String key, Position keyPosition, Node value) {}

    /** A sequence. */
    record Sequence(List<Node> items, Position position) implements Node {}

    private final String source;
    private final List<String> lines;
    private final List<Problem> problems;

    private YamlTree(String yaml, String source, List<Problem> problems) {
        this.source = source;
        this.lines = List.of(yaml.split("\r\n|\r|\n", -1));
        this.problems = problems;
    }

    /**
     * The document in {@code yaml}, or empty for an empty document or one that does not parse; problems go to
     * {@code problems}.
     */
    static Optional<Node> parse(String yaml, String source, List<Problem> problems) {
        return new YamlTree(yaml, source, problems).document(yaml);
    }

    private Optional<Node> document(String yaml) {
        try (YAMLParser p = FACTORY.createParser(yaml)) {
            if (p.nextToken() == null) {
                return Optional.empty();
            }
            Node root = node(p, 0);
            if (p.nextToken() != null) {
                problems.add(Problem.at(source, position(p), "a spec is one YAML document; remove the documents after the first"));
            }
            return Optional.of(root);
        } catch (JacksonException e) {
            problems.add(syntaxProblem(e));
        } catch (IOException | RuntimeException e) {
            // Jackson wraps what SnakeYAML throws; anything else is still bad input, not a Loupe bug to crash on.
            problems.add(new Problem(source, 1, 1, "cannot read the YAML (" + oneLine(String.valueOf(e.getMessage())) + "); check its syntax"));
        }
        return Optional.empty();
    }

    private Node node(YAMLParser p, int depth) throws IOException {
        Position at = position(p);
        JsonToken t = p.currentToken();
        if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && depth >= MAX_DEPTH) {
            problems.add(Problem.at(source, at, "nested more than " + MAX_DEPTH + " levels deep; a spec needs no more than 5"));
            p.skipChildren();
            return reported(at);
        }
        if (t == JsonToken.START_OBJECT) {
            List<Entry> entries = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                Position keyAt = position(p);
                p.nextToken();
                entries.add(new Entry(key, keyAt, node(p, depth + 1)));
            }
            return new Mapping(List.copyOf(entries), at);
        }
        if (t == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            for (JsonToken n = p.nextToken(); n != null && n != JsonToken.END_ARRAY; n = p.nextToken()) {
                items.add(node(p, depth + 1));
            }
            return new Sequence(List.copyOf(items), at);
        }
        if (p.isCurrentAlias()) {
            problems.add(Problem.at(source, at, "YAML aliases (*" + p.getText() + ") are not supported; write the value out"));
            return reported(at);
        }
        Optional<BigInteger> integer = t == JsonToken.VALUE_NUMBER_INT ? Optional.of(p.getBigIntegerValue()) : Optional.empty();
        String text = t == null || t == JsonToken.VALUE_NULL || p.getText() == null ? "" : p.getText();
        if (at.line() > lines.size()) {
            return new Scalar(text, t == null ? JsonToken.VALUE_NULL : t, integer, at, at, false);
        }
        // The parser gives where the value starts; a quote there opens the text one character later.
        String line = lines.get(at.line() - 1);
        int i = line.offsetByCodePoints(0, Math.min(at.column() - 1, line.codePointCount(0, line.length())));
        boolean quoted = i < line.length() && (line.charAt(i) == '"' || line.charAt(i) == '\'');
        Position start = quoted ? at.plusColumns(1) : at;
        boolean verbatim = line.startsWith(text, quoted ? i + 1 : i);
        return new Scalar(text, t == null ? JsonToken.VALUE_NULL : t, integer, at, start, verbatim);
    }

    private static Position position(JsonParser p) {
        JsonLocation l = p.currentTokenLocation();
        return new Position(Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }

    /** What stands for a node that a problem was reported about. */
    private static Scalar reported(Position at) {
        return new Scalar("", JsonToken.NOT_AVAILABLE, Optional.empty(), at, at, false);
    }

    /** One line at SnakeYAML's problem mark: its description of the problem, and of the construct it was in. */
    private Problem syntaxProblem(JacksonException e) {
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
            Mark mark = m.getProblemMark();
            String context = m.getContext() == null ? ""
                    : " (" + oneLine(m.getContext()) + (m.getContextMark() == null ? "" : " at " + (m.getContextMark().getLine() + 1)
                    + ":" + (m.getContextMark().getColumn() + 1)) + ")";
            return new Problem(source, mark.getLine() + 1, mark.getColumn() + 1,
                    "YAML syntax error: " + oneLine(String.valueOf(m.getProblem())) + context + "; check the indentation and quoting");
        }
        JsonLocation l = e.getLocation();
        String first = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
        return new Problem(source, l == null ? 1 : Math.max(1, l.getLineNr()), l == null ? 1 : Math.max(1, l.getColumnNr()),
                "cannot read the YAML: " + oneLine(first) + "; check its syntax");
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
