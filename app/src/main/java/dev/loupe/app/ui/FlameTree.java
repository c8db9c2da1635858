package dev.loupe.app.ui;

import dev.loupe.app.export.GoroutineProfile;
import dev.loupe.app.store.SnapshotFile.StackGroup;
import dev.loupe.decoder.Frame;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The goroutines of a snapshot as a flame graph's tree: root, then a node per process, then frames from the
 * outermost to the innermost, each node as wide as the goroutines whose stacks pass through it. Frames of the same
 * function at the same place in the tree are one node.
 */
final class FlameTree {
    /** Where a frame's code comes from, which the graph colours. */
    enum Kind { ROOT, PROCESS, RUNTIME, STANDARD_LIBRARY, PROGRAM }

    /** A node: its function (or process), one of its frames' file:line, and the goroutines through it. */
    static final class Node {
        final String name;
        /** The name in lower case, for case-blind searches on every keystroke. */
        final String lowerCaseName;
        final String location;
        final Kind kind;
        final Node parent;
        final int depth;
        int count;
        /** Made with the first child: most nodes of a big snapshot are a stack's own frames, with one child or none. */
        private Map<String, Node> children;
        /** The children in order, made once the tree is built: each redraw walks them. */
        private List<Node> ordered;

        private Node(String name, String location, Kind kind, Node parent) {
            this.name = name;
            this.lowerCaseName = name.toLowerCase(Locale.ROOT);
            this.location = location;
            this.kind = kind;
            this.parent = parent;
            this.depth = parent == null ? 0 : parent.depth + 1;
        }

        List<Node> children() {
            if (ordered == null) {
                ordered = children == null ? List.of() : List.copyOf(children.values());
            }
            return ordered;
        }

        private Node child(String name, String location, Kind kind) {
            if (children == null) {
                children = new LinkedHashMap<>();
            }
            Node c = children.get(name);
            if (c == null) {
                c = new Node(name, location, kind, this);
                children.put(name, c);
            }
            return c;
        }

        private Node child(Frame f) {
            Node c = children == null ? null : children.get(f.function());
            return c != null ? c : child(f.function(), f.file() + ":" + f.line(), kind(f.function()));
        }

        /** From the root down to this node. */
        List<Node> path() {
            List<Node> out = new ArrayList<>();
            for (Node n = this; n != null; n = n.parent) {
                out.addFirst(n);
            }
            return out;
        }
    }

    private FlameTree() {}

    static Node of(List<StackGroup> groups) {
        Node root = new Node("all goroutines", "", Kind.ROOT, null);
        // A process's node, by its id in the file: its name is worked out once, not for each of its stacks.
        Map<Long, Node> processes = new HashMap<>();
        for (StackGroup g : groups) {
            root.count += g.count();
            Node at = processes.computeIfAbsent(g.processId(), id -> root.child(GoroutineProfile.processName(g),
                    g.exePath() == null ? "" : g.exePath(), Kind.PROCESS));
            at.count += g.count();
            for (Frame f : g.frames().reversed()) {
                at = at.child(f);
                at.count += g.count();
            }
        }
        return root;
    }

    /**
     * The goroutines under {@code top} whose stacks hold a frame whose function contains {@code text} (case
     * blind): each counted once, at its outermost matching frame.
     */
    static int matching(Node top, String text) {
        if (text.isEmpty()) {
            return 0;
        }
        return count(top, text.toLowerCase(Locale.ROOT));
    }

    private static int count(Node n, String needle) {
        if (matches(n, needle)) {
            return n.count;
        }
        int sum = 0;
        for (Node c : n.children()) {
            sum += count(c, needle);
        }
        return sum;
    }

    static boolean matches(Node n, String lowerCaseText) {
        return !lowerCaseText.isEmpty() && n.kind != Kind.ROOT && n.lowerCaseName.contains(lowerCaseText);
    }

    /** The runtime's own packages, the rest of the standard library (no dot in its first path element), the program's. */
    static Kind kind(String function) {
        String pkg = packageOf(function);
        if (pkg.equals("runtime") || pkg.startsWith("runtime/") || pkg.startsWith("internal/runtime")) {
            return Kind.RUNTIME;
        }
        String first = pkg.contains("/") ? pkg.substring(0, pkg.indexOf('/')) : pkg;
        return first.contains(".") || pkg.equals("main") ? Kind.PROGRAM : Kind.STANDARD_LIBRARY;
    }

    /** {@code net/http.(*conn).serve} -> {@code net/http}; {@code main.f.func1} -> {@code main}. */
    static String packageOf(String function) {
        int slash = function.lastIndexOf('/');
        int dot = function.indexOf('.', slash + 1);
        return dot < 0 ? function : function.substring(0, dot);
    }
}
