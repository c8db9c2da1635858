package dev.loupe.app.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The edit the spec editor's function picker makes: a capture added to a spec's text under its function's entry,
 * the entry and its capture list made when missing, the rest of the file left as it is (comments, order, quoting).
 * It reads the block style docs/spec.md shows; a list written in flow style ({@code [...]}) is not rewritten.
 */
final class SpecEdits {
    private static final Pattern KEY = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*:(?:\\s+(.*))?");
    /** Values that are an empty list as far as adding to it goes. */
    private static final Set<String> EMPTY = Set.of("", "[]", "~", "null");
    /** Characters a plain YAML scalar cannot start with. */
    private static final String INDICATORS = "-?:,[]{}#&*!|>'\"%@`";

    private SpecEdits() {}

    /**
     * Replace {@code [start, end)} of the text with {@code text}; then put the caret at {@code caret}, an offset in
     * the text after the edit (the end of the expression added).
     */
    record Edit(int start, int end, String text, int caret) {
        String applyTo(String yaml) {
            return yaml.substring(0, start) + text + yaml.substring(end);
        }
    }

    /** A line of the text, without its line break. */
    private record Line(int start, int end, String text) {
        int indent() {
            int i = 0;
            while (i < text.length() && text.charAt(i) == ' ') {
                i++;
            }
            return i;
        }

        String body() {
            return text.substring(indent()).stripTrailing();
        }

        /** Neither blank nor a comment. */
        boolean content() {
            return !body().isEmpty() && !body().startsWith("#");
        }

        boolean item() {
            return body().equals("-") || body().startsWith("- ");
        }
    }

    /**
     * A {@code key: value} on a line: the value as written (without a comment after it), and where the text after
     * the colon starts.
     */
    private record Key(Line line, String name, String value, int valueStart) {
        /** Nothing, or an empty list: what can be replaced by a list written out. */
        boolean empty() {
            return EMPTY.contains(value);
        }
    }

    /** An entry of a list: its lines from its '- ', the column its keys are at, and its keys. */
    private record Entry(List<Line> lines, int keyIndent, List<Key> keys) {}

    /**
     * Adds {@code - expr: EXPR} to the capture list of {@code function} in {@code yaml}.
     *
     * @throws IllegalArgumentException with one line to show when the list to add to is written in flow style
     */
    static Edit addCapture(String yaml, String function, String expr) {
        List<Line> lines = lines(yaml);
        String capture = "- expr: " + scalar(expr);
        String entry = "- function: " + scalar(function);
        Optional<Key> root = lines.stream().filter(l -> l.content() && l.indent() == 0).map(SpecEdits::key)
                .flatMap(Optional::stream).filter(k -> k.name().equals("functions")).findFirst();
        if (root.isEmpty()) {
            String text = "functions:\n  " + entry + "\n    capture:\n      " + capture + "\n";
            if (yaml.isBlank()) {
                return new Edit(0, yaml.length(), text, text.length() - 1);
            }
            String sep = yaml.endsWith("\n") ? "" : "\n";
            return new Edit(yaml.length(), yaml.length(), sep + text, yaml.length() + sep.length() + text.length() - 1);
        }
        Key functions = root.get();
        if (!functions.empty()) {
            throw flow("the functions list", entry);
        }
        List<Line> block = below(lines.subList(lines.indexOf(functions.line()) + 1, lines.size()), 0);
        List<Line> items = block.stream().filter(l -> l.content() && l.item()).toList();
        int entryIndent = items.isEmpty() ? 2 : items.getFirst().indent();
        for (Entry e : entries(block, entryIndent)) {
            if (e.keys().stream().noneMatch(k -> k.name().equals("function") && unquote(k.value()).equals(function))) {
                continue;
            }
            Optional<Key> list = e.keys().stream().filter(k -> k.name().equals("capture")).findFirst();
            if (list.isEmpty()) {
                return insertAfter(lastContent(e.lines()).orElseThrow(),
                        " ".repeat(e.keyIndent()) + "capture:\n" + " ".repeat(e.keyIndent() + 2) + capture);
            }
            Key c = list.get();
            if (!c.empty()) {
                throw flow("the capture list of " + function, capture);
            }
            List<Line> under = below(e.lines().subList(e.lines().indexOf(c.line()) + 1, e.lines().size()), e.keyIndent());
            List<Line> captures = under.stream().filter(l -> l.content() && l.item()).toList();
            String item = " ".repeat(captures.isEmpty() ? e.keyIndent() + 2 : captures.getFirst().indent()) + capture;
            return c.value().isEmpty() ? insertAfter(lastContent(under).orElse(c.line()), item) : replaceValue(c, item);
        }
        String newEntry = " ".repeat(entryIndent) + entry + "\n" + " ".repeat(entryIndent + 2) + "capture:\n"
                + " ".repeat(entryIndent + 4) + capture;
        return functions.value().isEmpty() ? insertAfter(lastContent(block).orElse(functions.line()), newEntry)
                : replaceValue(functions, newEntry);
    }

    private static IllegalArgumentException flow(String what, String add) {
        return new IllegalArgumentException(what + " is written in flow style ([...]); add '" + add + "' to it by hand");
    }

    /** {@code text} on lines of its own after {@code line}. */
    private static Edit insertAfter(Line line, String text) {
        String inserted = "\n" + text;
        return new Edit(line.end(), line.end(), inserted, line.end() + inserted.length());
    }

    /** An empty list ({@code []}, {@code ~}) replaced by {@code text} on lines of its own. */
    private static Edit replaceValue(Key k, String text) {
        String inserted = "\n" + text;
        return new Edit(k.valueStart(), k.line().end(), inserted, k.valueStart() + inserted.length());
    }

    private static Optional<Line> lastContent(List<Line> lines) {
        return lines.stream().filter(Line::content).reduce((a, b) -> b);
    }

    private static List<Line> lines(String yaml) {
        List<Line> out = new ArrayList<>();
        int from = 0;
        while (from < yaml.length()) {
            int nl = yaml.indexOf('\n', from);
            int end = nl < 0 ? yaml.length() : nl;
            out.add(new Line(from, end, yaml.substring(from, end)));
            from = end + 1;
        }
        return out;
    }

    /**
     * The first of {@code lines} that belong to a key's value: up to the first content line indented less than
     * {@code indent}, or as much but not a list item (YAML lets a list stand at its key's indentation).
     */
    private static List<Line> below(List<Line> lines, int indent) {
        List<Line> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.content() && (l.indent() < indent || l.indent() == indent && !l.item())) {
                break;
            }
            out.add(l);
        }
        return out;
    }

    /** The list items at {@code indent} in {@code block}, each with the lines up to the next. */
    private static List<Entry> entries(List<Line> block, int indent) {
        List<List<Line>> items = new ArrayList<>();
        for (Line l : block) {
            if (l.content() && l.item() && l.indent() == indent) {
                items.add(new ArrayList<>());
            }
            if (!items.isEmpty()) {
                items.getLast().add(l);
            }
        }
        return items.stream().map(lines -> entry(lines, indent)).toList();
    }

    /** An entry's keys: the one after its '- ', and those lined up under it (all of them, when '-' stands alone). */
    private static Entry entry(List<Line> lines, int indent) {
        Line dash = lines.getFirst();
        List<Key> keys = new ArrayList<>();
        int column;
        if (dash.body().equals("-")) {
            column = lines.stream().skip(1).filter(Line::content).findFirst().map(Line::indent).orElse(indent + 2);
        } else {
            column = indent + 1;
            while (dash.text().charAt(column) == ' ') {
                column++;
            }
            key(new Line(dash.start() + column, dash.end(), dash.text().substring(column))).ifPresent(keys::add);
        }
        for (Line l : lines.subList(1, lines.size())) {
            if (l.content() && l.indent() == column) {
                key(l).ifPresent(keys::add);
            }
        }
        return new Entry(lines, column, keys);
    }

    private static Optional<Key> key(Line l) {
        Matcher m = KEY.matcher(l.body());
        if (!m.matches()) {
            return Optional.empty();
        }
        String value = m.group(2) == null ? "" : m.group(2).strip();
        if (!value.startsWith("'") && !value.startsWith("\"")) {
            int comment = value.startsWith("#") ? 0 : value.indexOf(" #");
            value = (comment < 0 ? value : value.substring(0, comment)).strip();
        }
        int afterColon = l.body().indexOf(':', m.end(1)) + 1;
        return Optional.of(new Key(l, m.group(1), value, l.start() + l.indent() + afterColon));
    }

    /** A scalar's text, without its quotes. */
    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("'")) {
            return value.substring(1, value.lastIndexOf('\'')).replace("''", "'");
        }
        if (value.length() >= 2 && value.startsWith("\"")) {
            return value.substring(1, value.lastIndexOf('"'));
        }
        return value;
    }

    /** {@code s} as a YAML scalar: plain where YAML reads it back as the same text, else single-quoted. */
    static String scalar(String s) {
        boolean plain = !s.isEmpty() && INDICATORS.indexOf(s.charAt(0)) < 0 && !s.contains(": ") && !s.contains(" #")
                && !s.endsWith(":") && s.strip().equals(s);
        return plain ? s : "'" + s.replace("'", "''") + "'";
    }
}
