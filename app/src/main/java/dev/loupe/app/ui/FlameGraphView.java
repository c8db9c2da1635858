package dev.loupe.app.ui;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.Text;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A flame graph of a snapshot's goroutines, drawn on a Canvas: the node zoomed into spans the width, its
 * descendants below it as wide as their share of its goroutines. Hovering names a node (function, file:line,
 * goroutines); a click zooms into it, the breadcrumb (or Esc, Backspace, Home) back out; the search box highlights the frames whose function
 * matches and says what share of the goroutines they cover.
 */
final class FlameGraphView extends BorderPane {
    static final double ROW = 20;
    private static final double MIN_WIDTH = 0.5;
    private static final Font FONT = Font.font("System", 12);
    private static final Color HIT = Color.web("#d63384");
    private static final Color TEXT = Color.web("#1f2328");
    /** Each kind's fill; dimmed, the fill of the frames a search does not match. */
    private static final Map<FlameTree.Kind, Color> FILLS = fills(false);
    private static final Map<FlameTree.Kind, Color> DIMMED = fills(true);

    private final FlameTree.Node root;
    private final Canvas canvas = new Canvas();
    private final HBox breadcrumb = new HBox(4);
    private final TextField search = new TextField();
    private final Label share = new Label();
    private final Label hover = new Label(" ");
    /** The rectangles drawn, for hit-testing: x, y, width of each node. */
    private final List<Box> boxes = new ArrayList<>();
    /** Each name's width in the font: measuring text is what drawing a box's label costs most. */
    private final Map<String, Double> textWidths = new HashMap<>();
    private final Text measure = new Text();
    private FlameTree.Node zoomed;

    private record Box(double x, double y, double width, FlameTree.Node node) {}

    FlameGraphView(FlameTree.Node root) {
        this.root = root;
        this.zoomed = root;
        canvas.setId("flame-graph");
        search.setId("flame-search");
        search.setPromptText("Search functions");
        search.setPrefColumnCount(24);
        search.textProperty().addListener((o, was, is) -> paint());
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox top = new HBox(8, breadcrumb, gap, share, search);
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(6, 8, 6, 8));
        breadcrumb.setAlignment(Pos.CENTER_LEFT);
        ScrollPane scroll = new ScrollPane(canvas);
        scroll.setFitToWidth(true);
        canvas.widthProperty().bind(scroll.widthProperty().subtract(16));
        canvas.widthProperty().addListener((o, was, is) -> redraw());
        measure.setFont(FONT);
        canvas.setOnMouseMoved(e -> {
            FlameTree.Node n = nodeAt(e.getX(), e.getY());
            hover.setText(n == null ? " " : describe(n));
        });
        canvas.setOnMouseExited(e -> hover.setText(" "));
        canvas.setOnMouseClicked(e -> {
            FlameTree.Node n = nodeAt(e.getX(), e.getY());
            if (n != null) {
                zoom(n);
            }
        });
        // Keys: Esc or Backspace zooms out a level, Home back to every goroutine.
        setOnKeyPressed(e -> {
            if ((e.getCode() == KeyCode.ESCAPE || e.getCode() == KeyCode.BACK_SPACE) && zoomed.parent != null
                    && e.getTarget() != search) {
                zoom(zoomed.parent);
                e.consume();
            } else if (e.getCode() == KeyCode.HOME && e.getTarget() != search) {
                zoom(root);
                e.consume();
            }
        });
        canvas.setFocusTraversable(true);
        canvas.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> canvas.requestFocus());
        hover.setPadding(new Insets(4, 8, 4, 8));
        setTop(top);
        setCenter(scroll);
        setBottom(hover);
        zoom(root);
    }

    /** Spans the width with {@code n}, the breadcrumb leading back to the root. */
    void zoom(FlameTree.Node n) {
        zoomed = n;
        breadcrumb.getChildren().clear();
        for (FlameTree.Node at : n.path()) {
            Hyperlink link = new Hyperlink(at.name);
            link.setOnAction(e -> zoom(at));
            breadcrumb.getChildren().add(link);
        }
        redraw();
    }

    FlameTree.Node zoomed() {
        return zoomed;
    }

    /** Highlights the frames whose function contains {@code text}. */
    void search(String text) {
        search.setText(text);
    }

    /** The share of the goroutines the search covers, e.g. {@code 40 of 208 goroutines (19.2%)}; empty without one. */
    String share() {
        return share.getText();
    }

    /** What hovering shows of {@code n}. */
    String describe(FlameTree.Node n) {
        return n.name + (n.location.isEmpty() ? "" : "  " + n.location) + "  \u2014  " + n.count
                + (n.count == 1 ? " goroutine" : " goroutines") + String.format(Locale.ROOT, " (%.1f%%)", 100.0 * n.count / root.count);
    }

    /** The node drawn at (x, y) of the canvas, or null. */
    FlameTree.Node nodeAt(double x, double y) {
        for (Box b : boxes) {
            if (y >= b.y() && y < b.y() + ROW && x >= b.x() && x < b.x() + b.width()) {
                return b.node();
            }
        }
        return null;
    }

    /** Where {@code n} is drawn: its rectangle's centre, or null when it is not drawn. */
    double[] centreOf(FlameTree.Node n) {
        for (Box b : boxes) {
            if (b.node() == n) {
                return new double[] {b.x() + b.width() / 2, b.y() + ROW / 2};
            }
        }
        return null;
    }

    /** Lays the boxes out anew (the zoom or the width changed), then paints them. */
    private void redraw() {
        boxes.clear();
        double width = canvas.getWidth();
        if (width > 0) {
            layout(zoomed, 0, width, 0);
            canvas.setHeight((boxes.stream().mapToInt(b -> (int) (b.y() / ROW)).max().orElse(0) + 1) * ROW);
        }
        paint();
    }

    /** Paints the boxes laid out, highlighting the search's matches: all a new search needs. */
    private void paint() {
        String text = search.getText() == null ? "" : search.getText().toLowerCase(Locale.ROOT);
        int matching = FlameTree.matching(zoomed, text);
        share.setText(text.isEmpty() ? "" : String.format(Locale.ROOT, "%d of %d goroutines (%.1f%%)", matching, zoomed.count,
                100.0 * matching / Math.max(1, zoomed.count)));
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, canvas.getWidth(), canvas.getHeight());
        g.setFont(FONT);
        for (Box b : boxes) {
            boolean hit = FlameTree.matches(b.node(), text);
            g.setFill(hit ? HIT : text.isEmpty() ? FILLS.get(b.node().kind) : DIMMED.get(b.node().kind));
            g.fillRect(b.x(), b.y(), Math.max(1, b.width() - 1), ROW - 1);
            if (b.width() > 24) {
                g.setFill(TEXT);
                g.fillText(clip(b.node().name, b.width() - 6), b.x() + 3, b.y() + ROW - 6);
            }
        }
    }

    /** The boxes of {@code n} and what is under it, {@code n} at x..x+width in row {@code row}. */
    private void layout(FlameTree.Node n, double x, double width, int row) {
        if (width < MIN_WIDTH) {
            return;
        }
        boxes.add(new Box(x, row * ROW, width, n));
        double at = x;
        for (FlameTree.Node c : n.children()) {
            double w = width * c.count / n.count;
            layout(c, at, w, row + 1);
            at += w;
        }
    }

    private static Map<FlameTree.Kind, Color> fills(boolean dimmed) {
        Map<FlameTree.Kind, Color> out = new EnumMap<>(FlameTree.Kind.class);
        for (FlameTree.Kind kind : FlameTree.Kind.values()) {
            Color fill = switch (kind) {
                case ROOT, PROCESS -> Color.web("#d0d7de");
                case RUNTIME -> Color.web("#9ec5fe");
                case STANDARD_LIBRARY -> Color.web("#a3cfbb");
                case PROGRAM -> Color.web("#ffc078");
            };
            out.put(kind, dimmed ? fill.desaturate().deriveColor(0, 1, 1, 0.35) : fill);
        }
        return out;
    }

    /** As much of {@code s} as fits in {@code width}, with an ellipsis when cut. */
    private String clip(String s, double width) {
        double full = textWidths.computeIfAbsent(s, x -> {
            measure.setText(x);
            return measure.getLayoutBounds().getWidth();
        });
        if (full <= width) {
            return s;
        }
        int n = (int) Math.max(0, s.length() * width / full) - 1;
        return n <= 0 ? "" : s.substring(0, n) + "\u2026";
    }
}
