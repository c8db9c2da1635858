package dev.loupe.app.ui;

import atlantafx.base.theme.Styles;
import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.Variable;
import dev.loupe.probegen.spec.Problem;
import dev.loupe.probegen.spec.Spec;
import dev.loupe.probegen.spec.SpecException;
import dev.loupe.probegen.spec.SpecReader;
import dev.loupe.probegen.spec.SpecResolver;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import javafx.util.Duration;
import javafx.util.Subscription;
import org.fxmisc.flowless.VirtualizedScrollPane;
import org.fxmisc.richtext.CodeArea;
import org.fxmisc.richtext.LineNumberFactory;
import org.fxmisc.richtext.event.MouseOverTextEvent;
import org.fxmisc.richtext.model.StyleSpansBuilder;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A window to write a spec in (docs/spec.md, "Editing a spec in the workstation"): its YAML checked as it is typed,
 * by the spec reader, and by the resolver against a binary when one is chosen, each problem underlined with the
 * engine's message and listed below; a picker of the binary's functions whose parameters and locals, with their
 * types, go into the spec as captures. Files and the binary are read on a thread of the editor's own, one job at a
 * time in the order given; the JavaFX thread only shows the results, and only those still true of the text.
 */
final class SpecEditor {
    /** How long typing must pause before the text is checked. */
    static final Duration CHECK_AFTER = Duration.millis(300);
    /** At most this many functions are listed; the count says how many match. */
    static final int MAX_LISTED = 500;
    private static final Pattern GO_IDENTIFIER = Pattern.compile("[\\p{L}_][\\p{L}\\p{Nd}_]*");
    private static final String PROBLEM = "problem";

    /** A check of the spec's text: the text checked and what is wrong with it, in the order of the file. */
    record Check(String text, List<Problem> problems) {}

    /** The binary the spec is checked against, with its functions' names sorted. */
    private record Loaded(Path path, List<String> functions) {}

    /** A problem's place in the text, as underlined. */
    private record Mark(int start, int end, Problem problem) {}

    private final Stage stage = new Stage();
    private final CodeArea code = new CodeArea();
    private final ListView<Problem> problems = new ListView<>();
    private final Label status = new Label();
    /** What the last check found, above its list. */
    private final Label summary = new Label();
    private final Label binaryName = new Label();
    private final TextField search = new TextField();
    private final ListView<String> functions = new ListView<>();
    private final Label functionCount = new Label();
    private final Label functionName = new Label();
    private final TableView<Variable> variables = new TableView<>();
    private final Tooltip hover = new Tooltip();
    private final PauseTransition typing = new PauseTransition(CHECK_AFTER);
    private final ObjectProperty<Path> file = new SimpleObjectProperty<>();
    /** The text as last opened or saved: the text differs from it while there are unsaved changes. */
    private final StringProperty saved = new SimpleStringProperty("");
    private final BooleanBinding dirty = Bindings.createBooleanBinding(() -> !code.getText().equals(saved.get()), code.textProperty(), saved);
    private final ReadOnlyObjectWrapper<Check> checked = new ReadOnlyObjectWrapper<>(new Check("", List.of()));
    private final Consumer<Path> useForCapture;
    /**
     * Reads files and the binary, one job at a time in the order given: a binary is closed only after the jobs given
     * before, and a check always runs against the binary chosen last.
     */
    private final ExecutorService worker = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("spec-editor").factory());
    /** The binary chosen; only on the worker. */
    private GoBinary binary;
    /** What the JavaFX thread knows of the binary: null when there is none. */
    private Loaded loaded;
    /** The function whose variables are shown: what they are added to. */
    private String shownFunction;
    private List<Mark> marks = List.of();
    /** The last function search, and the last reading of a function's variables, for tests. */
    private CompletableFuture<List<String>> searched = CompletableFuture.completedFuture(List.of());
    private CompletableFuture<List<Variable>> listed = CompletableFuture.completedFuture(List.of());
    /** The last reading of a binary. */
    private CompletableFuture<List<String>> reading = CompletableFuture.completedFuture(List.of());

    /**
     * Shows an editor for a new spec, checked against {@code binary} when not null; {@code useForCapture} is given the
     * saved file that "Use for capture" names. On the JavaFX thread.
     */
    SpecEditor(Path binary, Consumer<Path> useForCapture) {
        this.useForCapture = useForCapture;
        code.getStyleClass().add("code");
        code.setParagraphGraphicFactory(LineNumberFactory.get(code));
        code.setMouseOverTextDelay(java.time.Duration.ofMillis(400));
        code.addEventHandler(MouseOverTextEvent.MOUSE_OVER_TEXT_BEGIN, e -> markAt(e.getCharacterIndex()).ifPresent(m -> {
            hover.setText(m.problem().message());
            hover.show(code, e.getScreenPosition().getX(), e.getScreenPosition().getY() + 16);
        }));
        code.addEventHandler(MouseOverTextEvent.MOUSE_OVER_TEXT_END, e -> hover.hide());
        code.textProperty().addListener((o, was, is) -> typing.playFromStart());
        typing.setOnFinished(e -> check());

        problems.setPlaceholder(new Label("No problems"));
        problems.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(Problem p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : p.line() > 0 ? p.line() + ":" + p.column() + "  " + p.message() : p.toString());
            }
        });
        problems.setOnMouseClicked(e -> goTo(problems.getSelectionModel().getSelectedItem()));
        problems.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER) {
                goTo(problems.getSelectionModel().getSelectedItem());
            }
        });
        summary.setId("spec-summary");
        summary.setPadding(new Insets(0, 6, 0, 6));
        VBox.setVgrow(problems, Priority.ALWAYS);
        VBox checks = new VBox(4, summary, problems);
        checks.setPadding(new Insets(4, 0, 0, 0));
        SplitPane editor = new SplitPane(new VirtualizedScrollPane<>(code), checks);
        editor.setOrientation(Orientation.VERTICAL);
        editor.setDividerPositions(0.75);

        SplitPane main = new SplitPane(editor, picker());
        main.setDividerPositions(0.6);
        status.setId("status");
        status.setPadding(new Insets(4, 8, 4, 8));
        BorderPane root = new BorderPane(main, new VBox(menus(), toolbar()), null, status, null);
        root.getStyleClass().add("spec-editor");
        Scene scene = new Scene(root, 1200, 800);
        scene.getStylesheets().addAll(Workstation.asset("workstation.css").toExternalForm(), Workstation.asset("spec-editor.css").toExternalForm());
        stage.setScene(scene);
        stage.titleProperty().bind(Bindings.createStringBinding(() -> (dirty.get() ? "*" : "") + name() + " \u2014 Loupe spec", dirty, file));
        stage.setOnCloseRequest(e -> {
            if (dirty.get() && !confirmDiscard()) {
                e.consume();
            }
        });
        stage.setOnHidden(e -> {
            typing.stop();
            worker.execute(this::closeBinary);
            worker.shutdown();
        });
        showBinary(null);
        stage.show();
        if (binary != null) {
            setBinary(binary);
        }
        check();
    }

    private MenuBar menus() {
        MenuItem open = new MenuItem("Open...");
        open.setAccelerator(KeyCombination.keyCombination("Shortcut+O"));
        open.setOnAction(e -> {
            if (!dirty.get() || confirmDiscard()) {
                File f = specChooser("Open a spec").showOpenDialog(stage);
                if (f != null) {
                    open(f.toPath());
                }
            }
        });
        MenuItem save = new MenuItem("Save");
        save.setAccelerator(KeyCombination.keyCombination("Shortcut+S"));
        save.setOnAction(e -> fileOrAsk().ifPresent(this::save));
        MenuItem saveAs = new MenuItem("Save As...");
        saveAs.setAccelerator(KeyCombination.keyCombination("Shortcut+Shift+S"));
        saveAs.setOnAction(e -> askWhereToSave().ifPresent(this::save));
        MenuItem close = new MenuItem("Close");
        close.setAccelerator(KeyCombination.keyCombination("Shortcut+W"));
        close.setOnAction(e -> close());
        return new MenuBar(new Menu("File", null, open, save, saveAs, close));
    }

    /** Closes the editor, after asking whether to lose unsaved changes; false when the user keeps them. */
    boolean close() {
        if (dirty.get() && !confirmDiscard()) {
            return false;
        }
        stage.hide();
        return true;
    }

    private HBox toolbar() {
        Button choose = new Button("Binary...");
        choose.setTooltip(new Tooltip("The Go executable to check the spec against and to pick functions from"));
        choose.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("The binary to check the spec against");
            File f = chooser.showOpenDialog(stage);
            if (f != null) {
                setBinary(f.toPath());
            }
        });
        Button use = new Button("Use for capture");
        use.getStyleClass().add(Styles.ACCENT);
        use.setTooltip(new Tooltip("Saves the spec and has the next capture under Targets use it"));
        use.setOnAction(e -> fileOrAsk().ifPresent(this::useForCapture));
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        binaryName.setId("spec-binary");
        HBox bar = new HBox(6, new Label("Binary:"), binaryName, choose, grow, use);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6));
        return bar;
    }

    /** The function search, its matches, and the chosen one's variables. */
    private VBox picker() {
        search.setPromptText("Search the binary's functions");
        search.textProperty().addListener((o, was, is) -> searched = filter(is));
        search.setOnAction(e -> {
            functions.getSelectionModel().selectFirst();
            functions.requestFocus();
        });
        functions.setPlaceholder(new Label("Choose a binary to list its functions"));
        functions.getSelectionModel().selectedItemProperty().addListener((o, was, is) -> {
            if (is != null) {
                listed = showVariables(is);
            }
        });
        functions.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER) {
                variables.getSelectionModel().selectFirst();
                variables.requestFocus();
            }
        });
        TableColumn<Variable, String> kind = new TableColumn<>("Kind");
        kind.setCellValueFactory(v -> new ReadOnlyStringWrapper(v.getValue().kind().name().toLowerCase(Locale.ROOT)));
        kind.setPrefWidth(80);
        TableColumn<Variable, String> name = new TableColumn<>("Name");
        name.setCellValueFactory(v -> new ReadOnlyStringWrapper(v.getValue().name()));
        name.setPrefWidth(120);
        TableColumn<Variable, String> type = new TableColumn<>("Type");
        type.setCellValueFactory(v -> new ReadOnlyStringWrapper(v.getValue().typeName()
                + v.getValue().problem().map(p -> "  (" + p + ")").orElse("")));
        variables.getColumns().setAll(List.of(kind, name, type));
        variables.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        variables.setPlaceholder(new Label("Choose a function to see its parameters and locals"));
        variables.setRowFactory(t -> {
            TableRow<Variable> row = new TableRow<>();
            row.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && !row.isEmpty()) {
                    insert(row.getItem());
                }
            });
            return row;
        });
        variables.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ENTER && variables.getSelectionModel().getSelectedItem() != null) {
                insert(variables.getSelectionModel().getSelectedItem());
                e.consume();
            }
        });
        Label hint = new Label("Double-click or Enter on a variable adds it to the spec as a capture");
        hint.getStyleClass().add(Styles.TEXT_MUTED);
        hint.setWrapText(true);
        hint.setMinHeight(Region.USE_PREF_SIZE);
        functionCount.getStyleClass().add(Styles.TEXT_MUTED);
        functionName.getStyleClass().add(Styles.TEXT_BOLD);
        VBox.setVgrow(functions, Priority.ALWAYS);
        VBox.setVgrow(variables, Priority.ALWAYS);
        VBox box = new VBox(6, search, functionCount, functions, functionName, variables, hint);
        box.setPadding(new Insets(6));
        return box;
    }

    /** A chooser of spec files, as the editor and Targets offer it. */
    static FileChooser specChooser(String title) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Loupe specs", "*.yaml", "*.yml"),
                new FileChooser.ExtensionFilter("All files", "*"));
        return chooser;
    }

    private String name() {
        return file.get() == null ? "untitled.yaml" : file.get().getFileName().toString();
    }

    /** Asks whether to lose the unsaved changes; true to go on. */
    private boolean confirmDiscard() {
        ButtonType discard = new ButtonType("Discard changes", ButtonBar.ButtonData.OK_DONE);
        Alert ask = new Alert(Alert.AlertType.CONFIRMATION, name() + " has changes that are not saved.", discard, ButtonType.CANCEL);
        ask.initOwner(stage);
        ask.setHeaderText("Discard the changes to " + name() + "?");
        return ask.showAndWait().filter(discard::equals).isPresent();
    }

    /** What a stage of work handed back to the JavaFX thread throws on, once the status line says why: the failure as it came. */
    private static CompletionException failed(Throwable t) {
        return t instanceof CompletionException c ? c : new CompletionException(t);
    }

    // Files.

    /**
     * Opens the spec in {@code path} in place of the text, read on the worker; the future completes on the JavaFX
     * thread once the text is there, or exceptionally once the status line says why not.
     */
    CompletableFuture<Void> open(Path path) {
        status.setText("Opening " + path + " ...");
        return CompletableFuture.supplyAsync(() -> {
            try {
                return SpecReader.text(path);
            } catch (SpecException e) {
                throw new CompletionException(e);
            }
        }, worker).handleAsync((text, t) -> {
            if (t != null) {
                status.setText("Cannot open " + (t.getCause() instanceof SpecException e ? e.getMessage() : path + ": " + t.getCause()));
                throw failed(t);
            }
            file.set(path);
            code.replaceText(text);
            // What the text area holds (its line breaks), so that an opened file has no changes.
            saved.set(code.getText());
            code.getUndoManager().forgetHistory();
            code.moveTo(0);
            status.setText("Opened " + path);
            return null;
        }, Platform::runLater);
    }

    /** Where to save the spec, asked; empty when the chooser is cancelled. */
    private Optional<Path> askWhereToSave() {
        return Optional.ofNullable(specChooser("Save the spec").showSaveDialog(stage)).map(File::toPath);
    }

    /** The spec's file, or where to save it, asked when it has none yet. */
    private Optional<Path> fileOrAsk() {
        return file.get() != null ? Optional.of(file.get()) : askWhereToSave();
    }

    /**
     * Writes the text to {@code to} on the worker, which becomes the editor's file; the future completes on the
     * JavaFX thread once it is written, or exceptionally once the status line says why not.
     */
    CompletableFuture<Path> save(Path to) {
        String text = code.getText();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Files.writeString(to, text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, worker).handleAsync((written, t) -> {
            if (t != null) {
                Throwable why = t.getCause() instanceof UncheckedIOException u ? u.getCause() : t.getCause();
                status.setText("Cannot save " + to + ": " + switch (why) {
                    case AccessDeniedException x -> "permission denied";
                    case NoSuchFileException x -> "its folder does not exist";
                    default -> why.getMessage();
                });
                throw failed(t);
            }
            file.set(to);
            saved.set(text);
            status.setText("Saved " + to);
            return to;
        }, Platform::runLater);
    }

    /** Saves the spec to {@code to}, then has the next capture use it. */
    CompletableFuture<Path> useForCapture(Path to) {
        return save(to).thenApply(p -> {
            useForCapture.accept(p);
            status.setText("Saved " + p + "; the next capture under Targets uses it");
            return p;
        });
    }

    // The binary.

    /**
     * Checks the spec against {@code path} from now on, and lists its functions, once read on the worker; a file that
     * is not a Go binary with DWARF is said in the status line, and the spec is then checked without a binary. The
     * future completes on the JavaFX thread with the functions' names, or exceptionally once the status line says why
     * there are none.
     */
    CompletableFuture<List<String>> setBinary(Path path) {
        status.setText("Reading " + path + " ...");
        reading = CompletableFuture.supplyAsync(() -> {
            closeBinary();
            binary = openBinary(path);
            try {
                return new Loaded(path, binary.dwarf().functionNames().stream().sorted().toList());
            } catch (BinaryFormatException e) {
                closeBinary();
                throw new IllegalArgumentException(e.getMessage() + "; the spec is checked without a binary", e);
            }
        }, worker).handleAsync((l, t) -> {
            showBinary(l);
            check();
            if (t != null) {
                status.setText(t.getCause() instanceof IllegalArgumentException e ? e.getMessage() : "Cannot read " + path + ": " + t.getCause());
                throw failed(t);
            }
            status.setText(path + ": " + l.functions().size() + " functions");
            return l.functions();
        }, Platform::runLater);
        return reading;
    }

    /** {@code path} opened, if it is a Go binary with DWARF; else an IllegalArgumentException with the line to show. */
    private static GoBinary openBinary(Path path) {
        GoBinary b;
        try {
            b = GoBinary.open(path);
        } catch (BinaryFormatException e) {
            throw new IllegalArgumentException(e.getMessage() + "; choose a Go executable (the spec is checked without a binary)", e);
        }
        String problem = b.buildInfo().isEmpty() ? "not a Go program (no Go build info); choose a Go executable"
                : !b.hasDwarf() ? "has no DWARF (built with -ldflags=-w or stripped): its functions' variables cannot be listed or checked;"
                        + " rebuild without -w/-s" : null;
        if (problem != null) {
            b.close();
            throw new IllegalArgumentException(path + ": " + problem + " (the spec is checked without a binary)");
        }
        return b;
    }

    /** On the worker. */
    private void closeBinary() {
        if (binary != null) {
            binary.close();
            binary = null;
        }
    }

    private void showBinary(Loaded l) {
        loaded = l;
        binaryName.setText(l == null ? "none: the spec's shape and syntax are checked, not its functions and variables" : l.path().toString());
        functions.getItems().clear();
        variables.getItems().clear();
        functionName.setText("");
        shownFunction = null;
        searched = filter(search.getText());
    }

    /**
     * Lists the functions whose names have every word of {@code query} in them (ignoring case), at most
     * {@link #MAX_LISTED}, matched on a thread of its own; shown if the query and the binary are still the same.
     */
    private CompletableFuture<List<String>> filter(String query) {
        Loaded of = loaded;
        if (of == null) {
            functionCount.setText("");
            return CompletableFuture.completedFuture(List.of());
        }
        List<String> words = List.of(query.strip().toLowerCase(Locale.ROOT).split("\\s+"));
        return CompletableFuture.supplyAsync(() -> of.functions().stream()
                        .filter(f -> words.stream().allMatch(f.toLowerCase(Locale.ROOT)::contains)).toList(),
                r -> Thread.ofVirtual().name("spec-editor-search").start(r)).thenApplyAsync(matches -> {
            if (loaded == of && search.getText().equals(query)) {
                functions.getItems().setAll(matches.subList(0, Math.min(matches.size(), MAX_LISTED)));
                functionCount.setText(query.isBlank() ? matches.size() + " functions"
                        : matches.size() + (matches.size() == 1 ? " function matches" : " functions match")
                        + (matches.size() > MAX_LISTED ? ", the first " + MAX_LISTED + " listed" : ""));
            }
            return matches;
        }, Platform::runLater);
    }

    /** Reads {@code function}'s variables on the worker, and shows them if it is still the one chosen. */
    private CompletableFuture<List<Variable>> showVariables(String function) {
        return CompletableFuture.supplyAsync(() -> {
            GoDwarf dwarf = binary.dwarf();
            return dwarf.function(function).map(dwarf::variables).orElse(List.of());
        }, worker).handleAsync((vars, t) -> {
            if (!function.equals(functions.getSelectionModel().getSelectedItem())) {
                return vars;
            }
            if (t != null) {
                status.setText("Cannot read the variables of " + function + ": " + t.getCause().getMessage());
                throw failed(t);
            }
            shownFunction = function;
            functionName.setText(function);
            variables.getItems().setAll(vars);
            return vars;
        }, Platform::runLater);
    }

    /** Adds {@code v}, of the function whose variables are shown, to the spec as a capture, and puts the caret after it. */
    private void insert(Variable v) {
        String function = shownFunction;
        // A variable moved to the heap is "&x" in DWARF; the expression is x (docs/spec.md).
        String expr = v.name().startsWith("&") ? v.name().substring(1) : v.name();
        if (!GO_IDENTIFIER.matcher(expr).matches()) {
            status.setText(v.name() + " has no name an expression can use; capture a named parameter or local");
            return;
        }
        try {
            SpecEdits.Edit edit = SpecEdits.addCapture(code.getText(), function, expr);
            code.replaceText(edit.start(), edit.end(), edit.text());
            code.moveTo(edit.caret());
            code.requestFollowCaret();
            status.setText("Added " + expr + " to the captures of " + function);
        } catch (IllegalArgumentException e) {
            status.setText(e.getMessage());
        }
    }

    // Checking.

    /** Checks the text as it is now on the worker, and shows the problems if the text is still the same. */
    private void check() {
        typing.stop();
        if (worker.isShutdown()) {
            return; // closed: a binary read since has nothing to be checked for
        }
        String text = code.getText();
        String source = name();
        worker.execute(() -> {
            List<Problem> found = problemsOf(text, source, binary);
            Platform.runLater(() -> show(new Check(text, found)));
        });
    }

    /** What the reader, and the resolver against {@code binary} when not null, find wrong with {@code text}. */
    private static List<Problem> problemsOf(String text, String source, GoBinary binary) {
        try {
            Spec spec = SpecReader.parse(text, source);
            if (binary != null) {
                SpecResolver.resolve(spec, binary);
            }
            return List.of();
        } catch (SpecException e) {
            return e.problems();
        }
    }

    private void show(Check c) {
        if (!c.text().equals(code.getText())) {
            return;
        }
        marks = marks(c.text(), c.problems());
        StyleSpansBuilder<Collection<String>> spans = new StyleSpansBuilder<>();
        int at = 0;
        for (Mark m : marks) {
            spans.add(List.of(), m.start() - at);
            spans.add(List.of(PROBLEM), m.end() - m.start());
            at = m.end();
        }
        spans.add(List.of(), c.text().length() - at);
        code.setStyleSpans(0, spans.create());
        problems.getItems().setAll(c.problems());
        int n = c.problems().size();
        summary.setText((n == 0 ? "No problems" : n == 1 ? "1 problem" : n + " problems")
                + (loaded == null ? " in its shape and syntax (choose a binary to check its functions and variables)" : " against " + loaded.path().getFileName()));
        checked.set(c);
    }

    /**
     * Where each problem is underlined: from its position to the end of the word there (at least one character),
     * in order and not overlapping; problems about the whole file have none.
     */
    private static List<Mark> marks(String text, List<Problem> problems) {
        List<Mark> out = new ArrayList<>();
        for (Problem p : problems.stream().filter(p -> p.line() > 0).sorted(Comparator.comparingInt(Problem::line)
                .thenComparingInt(Problem::column)).toList()) {
            int start = offset(text, p.line(), p.column());
            int end = start;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            if (end == start) {
                start = Math.max(0, Math.min(start, text.length() - 1));
                end = Math.min(text.length(), start + 1);
            }
            int from = out.isEmpty() ? start : Math.max(start, out.getLast().end());
            if (end > from) {
                out.add(new Mark(from, end, p));
            }
        }
        return out;
    }

    /** The offset in {@code text} of a 1-based line and column (in code points), kept within the text. */
    private static int offset(String text, int line, int column) {
        int at = 0;
        for (int l = 1; l < line; l++) {
            int nl = text.indexOf('\n', at);
            if (nl < 0) {
                return text.length();
            }
            at = nl + 1;
        }
        int lineEnd = text.indexOf('\n', at) < 0 ? text.length() : text.indexOf('\n', at);
        int i = at;
        for (int c = 1; c < column && i < lineEnd; c++) {
            i = text.offsetByCodePoints(i, 1);
        }
        return i;
    }

    private Optional<Mark> markAt(int index) {
        return checked.get().text().equals(code.getText())
                ? marks.stream().filter(m -> m.start() <= index && index < m.end()).findFirst() : Optional.empty();
    }

    /** Puts the caret at {@code p}'s place in the text. */
    private void goTo(Problem p) {
        if (p == null || p.line() == 0) {
            return;
        }
        code.moveTo(offset(code.getText(), p.line(), p.column()));
        code.requestFollowCaret();
        code.requestFocus();
    }

    // For tests.

    /** The last check shown: its text is the editor's text once the check of what was typed is shown. */
    ReadOnlyObjectProperty<Check> checkedProperty() {
        return checked.getReadOnlyProperty();
    }

    /** Completes once the check of {@code text} is shown (at once if it is); on the JavaFX thread. */
    CompletableFuture<Check> checkedWhen(String text) {
        CompletableFuture<Check> done = new CompletableFuture<>();
        Subscription watch = checked.subscribe(c -> {
            if (c != null && c.text().equals(text)) {
                done.complete(c);
            }
        });
        done.whenComplete((c, t) -> watch.unsubscribe());
        return done;
    }

    CodeArea code() {
        return code;
    }

    ListView<Problem> problems() {
        return problems;
    }

    String status() {
        return status.getText();
    }

    /** What the last check found. */
    String summary() {
        return summary.getText();
    }

    Stage stage() {
        return stage;
    }

    /** The binary given last, once read: its functions' names. */
    CompletableFuture<List<String>> binaryRead() {
        return reading;
    }

    /** Types {@code query} into the function search; the future completes once its matches are listed. */
    CompletableFuture<List<String>> search(String query) {
        search.setText(query);
        return searched;
    }

    ListView<String> functions() {
        return functions;
    }

    /** Chooses {@code function} in the list; the future completes once its variables are shown. */
    CompletableFuture<List<Variable>> choose(String function) {
        functions.getSelectionModel().select(function);
        return listed;
    }

    TableView<Variable> variables() {
        return variables;
    }
}
