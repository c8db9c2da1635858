package dev.loupe.app.ui;

import dev.loupe.app.store.SnapshotFile;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.util.StringConverter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * One open snapshot: its views (flame graph; grouped stacks with a goroutine's detail; tables) under the filters the
 * goroutine views share.
 */
final class SnapshotView extends BorderPane {
    private final OpenSnapshot snapshot;
    private final List<SnapshotFile.StackGroup> groups;
    private final Set<List<Long>> withData;
    private final Tab flameTab = new Tab("Flame graph");
    private final SplitPane grouped = new SplitPane();
    private final GoroutineDetailView detail = new GoroutineDetailView();
    /** Made when first asked for: listing the tables counts their rows, which most looks at a snapshot never need. */
    private TablesView tables;
    private final TextField text = new TextField();
    private final ChoiceBox<String> state = new ChoiceBox<>();
    private final CheckBox hideRuntime = new CheckBox("Hide runtime goroutines");
    private final CheckBox onlyWithData = new CheckBox("Only with captured data");
    private final GroupedStacksView stacks = new GroupedStacksView();
    private final TabPane views = new TabPane();
    private FlameGraphView flame;

    SnapshotView(OpenSnapshot snapshot, List<SnapshotFile.StackGroup> groups, Set<List<Long>> withData) {
        this.snapshot = snapshot;
        this.groups = groups;
        this.withData = withData;
        text.setId("goroutine-filter");
        text.setPromptText("Function or package");
        text.setPrefColumnCount(16);
        TreeSet<String> states = new TreeSet<>();
        groups.forEach(g -> states.addAll(g.states().keySet()));
        List<String> choices = new ArrayList<>();
        choices.add(null);
        choices.addAll(states);
        state.setItems(FXCollections.observableArrayList(choices));
        state.setConverter(new StringConverter<>() {
            @Override
            public String toString(String s) {
                return s == null ? "Every state" : s;
            }

            @Override
            public String fromString(String s) {
                return s;
            }
        });
        state.getSelectionModel().selectFirst();
        onlyWithData.setDisable(withData.isEmpty());
        text.textProperty().addListener((o, was, is) -> refilter());
        state.valueProperty().addListener((o, was, is) -> refilter());
        hideRuntime.selectedProperty().addListener((o, was, is) -> refilter());
        onlyWithData.selectedProperty().addListener((o, was, is) -> refilter());
        // Wraps rather than cut a filter off when the window is narrow.
        FlowPane bar = new FlowPane(12, 6, text, state, hideRuntime, onlyWithData);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 6, 8));
        grouped.getItems().setAll(stacks, detail);
        grouped.setDividerPositions(0.6);
        stacks.selectedGoroutine().addListener((o, was, is) -> {
            if (is != null) {
                showDetail(is);
            }
        });
        Tab groupedTab = new Tab("Grouped stacks");
        showWhenSelected(groupedTab, () -> grouped);
        Tab tablesTab = new Tab("Tables");
        showWhenSelected(tablesTab, this::tables);
        views.getTabs().setAll(flameTab, groupedTab, tablesTab);
        views.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        views.getSelectionModel().selectedIndexProperty().addListener((o, was, is) -> bar.setDisable(is.intValue() == 2));
        setTop(bar);
        setCenter(views);
        refilter();
    }

    /** Sets the filters, as their controls would. */
    void filter(GoroutineFilter f) {
        text.setText(f.text());
        state.setValue(f.state());
        hideRuntime.setSelected(f.hideRuntime());
        onlyWithData.setSelected(f.onlyWithData());
    }

    FlameGraphView flameGraph() {
        return flame;
    }

    GroupedStacksView groupedStacks() {
        return stacks;
    }

    GoroutineDetailView detail() {
        return detail;
    }

    TablesView tables() {
        if (tables == null) {
            tables = new TablesView(snapshot);
            tables.setOnGoroutine(g -> {
                views.getSelectionModel().select(1);
                showDetail(g);
            });
        }
        return tables;
    }

    /** The goroutines with captured data, as {process_id, goid}. */
    Set<List<Long>> withData() {
        return withData;
    }

    /** Shows the view at {@code index}: 0 the flame graph, 1 the grouped stacks, 2 the tables. */
    void showView(int index) {
        views.getSelectionModel().select(index);
    }

    /** Index of the view shown. */
    int shownView() {
        return views.getSelectionModel().getSelectedIndex();
    }

    /** Puts the keyboard in the filter of the view shown: the goroutines' text, or the Tables' quick filter. */
    void focusFilter() {
        TextField field = shownView() == 2 ? tables().filterField() : text;
        field.requestFocus();
        field.selectAll();
    }

    /** The detail of goroutine {process_id, goid}, read off the JavaFX thread. */
    private void showDetail(long[] goroutine) {
        snapshot.read(f -> f.goroutine(goroutine[0], goroutine[1])).thenAccept(g -> g.ifPresent(detail::show));
    }

    /** The goroutine views drawn anew for the filters' goroutines. */
    private void refilter() {
        List<SnapshotFile.StackGroup> shown = new GoroutineFilter(text.getText() == null ? "" : text.getText(), state.getValue(),
                hideRuntime.isSelected(), onlyWithData.isSelected()).apply(groups, withData);
        flame = new FlameGraphView(FlameTree.of(shown));
        flameTab.setContent(flame);
        stacks.show(shown);
    }

    /**
     * {@code tab} shows {@code content} from when it is first selected: until then the content is not in the scene, so
     * styling and laying it out are not on the way to the first paint, nor to a filter's.
     */
    private static void showWhenSelected(Tab tab, Supplier<Node> content) {
        ChangeListener<Boolean> selected = new ChangeListener<>() {
            @Override
            public void changed(ObservableValue<? extends Boolean> o, Boolean was, Boolean is) {
                if (is) {
                    tab.setContent(content.get());
                    tab.selectedProperty().removeListener(this);
                }
            }
        };
        tab.selectedProperty().addListener(selected);
    }
}
