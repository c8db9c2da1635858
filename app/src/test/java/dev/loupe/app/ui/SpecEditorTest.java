package dev.loupe.app.ui;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.godwarf.Variable;
import dev.loupe.probegen.spec.Problem;
import dev.loupe.probegen.spec.ResolvedSpec;
import dev.loupe.probegen.spec.SpecException;
import dev.loupe.probegen.spec.SpecReader;
import dev.loupe.probegen.spec.SpecResolver;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoTargets;
import javafx.event.Event;
import javafx.scene.control.Tab;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spec editor on JavaFX's headless platform, against targets/stacks built here: what is typed is checked by the
 * reader and the resolver and underlined with their messages, the function picker lists main.holdA's variables and
 * adds them to the spec, files are opened and saved, and bad input is one line in the status.
 */
class SpecEditorTest {
    private static final String HOLDERS = "functions:\n  - function: main.holdA\n    capture:\n      - expr: id\n";

    @BeforeAll
    static void startJavaFx() throws Exception {
        Fx.start();
    }

    /** The check shown once the editor has checked {@code text}, its text now. */
    private static SpecEditor.Check checkOf(SpecEditor e, String text) throws Exception {
        return Fx.call(() -> e.checkedWhen(text)).get(60, TimeUnit.SECONDS);
    }

    /** Whether the character at {@code offset} is underlined as a problem. */
    private static boolean underlined(SpecEditor e, int offset) throws Exception {
        return Fx.call(() -> e.code().getStyleOfChar(offset).contains("problem"));
    }

    private static List<Problem> resolve(String yaml, Path binary) throws SpecException {
        try (GoBinary b = GoBinary.open(binary)) {
            SpecException e = assertThrows(SpecException.class, () -> SpecResolver.resolve(SpecReader.parse(yaml, "untitled.yaml"), b));
            return e.problems();
        }
    }

    @Test
    void whatIsTypedIsUnderlinedWithTheEnginesMessagesUntilItIsFixed() throws Exception {
        Path stacks = GoTargets.build("stacks");
        SpecEditor e = Fx.call(() -> new SpecEditor(null, p -> {}));

        // Without a binary, the reader's problems: its shape and syntax.
        String shape = "functions:\n  - function: main.holdA\n    capture: 5\n";
        Fx.run(() -> e.code().replaceText(shape));
        SpecEditor.Check c = checkOf(e, shape);
        assertEquals(1, c.problems().size(), c.toString());
        Problem p = c.problems().getFirst();
        assertEquals(List.of(3, 14), List.of(p.line(), p.column()), p.toString());
        assertTrue(p.message().startsWith("'capture' must be a list of expressions"), p.message());
        assertTrue(underlined(e, shape.indexOf("5")));
        assertFalse(underlined(e, shape.indexOf("main")));
        assertTrue(Fx.call(e::summary).startsWith("1 problem in its shape and syntax"), Fx.call(e::summary));

        // With the binary, the resolver's: a misspelt field, typed one character at a time.
        List<String> names = Fx.call(() -> e.setBinary(stacks)).get(120, TimeUnit.SECONDS);
        assertTrue(names.contains("main.holdA"), names.size() + " functions");
        String typo = HOLDERS + "      - expr: o.Custmer\n";
        Fx.run(() -> e.code().replaceText(HOLDERS + "      - expr: o.\n"));
        for (char ch : "Custmer".toCharArray()) {
            Fx.run(() -> e.code().insertText(e.code().getLength() - 1, String.valueOf(ch)));
        }
        c = checkOf(e, typo);
        assertEquals(resolve(typo, stacks), c.problems(), "the resolver's problems, as it reports them");
        p = c.problems().getFirst();
        assertEquals(5, p.line(), p.toString());
        assertTrue(p.message().contains("has no field Custmer; did you mean Customer?"), p.message());
        assertEquals(List.of(p), Fx.call(() -> List.copyOf(e.problems().getItems())), "listed under the editor");
        int at = HOLDERS.length() + p.column() - 1;
        int field = typo.indexOf("Custmer");
        assertTrue(at <= field && underlined(e, at) && underlined(e, field + "Custmer".length() - 1), "the field is underlined");
        assertFalse(underlined(e, typo.indexOf("id")), "the line above is not");
        // The list takes the caret to the problem.
        Fx.run(() -> {
            e.problems().getSelectionModel().select(0);
            Event.fireEvent(e.problems(), new KeyEvent(KeyEvent.KEY_PRESSED, "", "", KeyCode.ENTER, false, false, false, false));
        });
        assertEquals(at, (int) Fx.call(() -> e.code().getCaretPosition()));

        // Fixed: no problem, no underline.
        String fixed = HOLDERS + "      - expr: o.Customer\n";
        Fx.run(() -> e.code().replaceText(field, field + "Custmer".length(), "Customer"));
        c = checkOf(e, fixed);
        assertEquals(List.of(), c.problems());
        assertFalse(underlined(e, at) || underlined(e, field));
        assertEquals(List.of(), Fx.call(() -> List.copyOf(e.problems().getItems())));
        assertEquals("No problems against stacks", Fx.call(e::summary));
        Fx.run(e.stage()::close);
    }

    @Test
    void thePickerListsAFunctionsVariablesAndAddsThemToTheSpec(@TempDir Path dir) throws Exception {
        Path stacks = GoTargets.build("stacks");
        AtomicReference<Path> used = new AtomicReference<>();
        SpecEditor e = Fx.call(() -> new SpecEditor(stacks, used::set));
        Fx.call(e::binaryRead).get(120, TimeUnit.SECONDS);
        List<String> found = Fx.call(() -> e.search("holda")).get(60, TimeUnit.SECONDS);
        assertEquals(List.of("main.holdA"), found, "case-blind, by a part of the name");
        assertEquals(found, Fx.call(() -> List.copyOf(e.functions().getItems())));
        List<String> all = Fx.call(() -> e.search("")).get(60, TimeUnit.SECONDS);
        assertTrue(all.size() > SpecEditor.MAX_LISTED, all.size() + " functions");
        assertEquals(SpecEditor.MAX_LISTED, (int) Fx.call(() -> e.functions().getItems().size()), "the list is capped");
        Fx.call(() -> e.search("main.hold")).get(60, TimeUnit.SECONDS);

        // holdA(id int, name string, o *order, items []int, n int), in targets/stacks/main.go.
        List<Variable> vars = Fx.call(() -> e.choose("main.holdA")).get(60, TimeUnit.SECONDS);
        List<String> shown = Fx.call(() -> e.variables().getItems().stream()
                .map(v -> v.kind() + " " + v.name() + " " + v.typeName()).toList());
        assertEquals(vars.stream().map(v -> v.kind() + " " + v.name() + " " + v.typeName()).toList(), shown);
        for (String v : List.of("PARAMETER id int", "PARAMETER name string", "PARAMETER o *main.order", "PARAMETER items []int", "PARAMETER n int")) {
            assertTrue(shown.contains(v), v + " in " + shown);
        }

        // Enter on a variable adds it: the first makes the function's entry, the next goes under it.
        for (String name : List.of("id", "o")) {
            Fx.run(() -> {
                e.variables().getSelectionModel().select(e.variables().getItems().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow());
                Event.fireEvent(e.variables(), new KeyEvent(KeyEvent.KEY_PRESSED, "", "", KeyCode.ENTER, false, false, false, false));
            });
        }
        String expected = HOLDERS + "      - expr: o\n";
        assertEquals(expected, Fx.call(() -> e.code().getText()));
        try (GoBinary b = GoBinary.open(stacks)) {
            ResolvedSpec r = SpecResolver.resolve(SpecReader.parse(expected, "s.yaml"), b);
            assertEquals(List.of("id", "o"), r.functions().getFirst().captures().stream().map(x -> x.spec().name()).toList());
        }
        assertEquals(List.of(), checkOf(e, expected).problems());
        assertTrue(Fx.call(() -> e.stage().getTitle()).startsWith("*untitled.yaml"), "unsaved");

        // Saved: the file has the text, the title loses its mark; Use for capture names the file.
        Path file = dir.resolve("holders.yaml");
        assertEquals(file, Fx.call(() -> e.save(file)).get(60, TimeUnit.SECONDS));
        assertEquals(expected, Files.readString(file));
        assertEquals("holders.yaml \u2014 Loupe spec", Fx.call(() -> e.stage().getTitle()));
        Fx.run(() -> e.code().appendText("# more\n"));
        assertEquals("*holders.yaml \u2014 Loupe spec", Fx.call(() -> e.stage().getTitle()));
        assertEquals(file, Fx.call(() -> e.useForCapture(file)).get(60, TimeUnit.SECONDS));
        assertEquals(file, used.get());
        assertEquals(expected + "# more\n", Files.readString(file), "saved first");
        Fx.run(e.stage()::close);
    }

    @Test
    void badInputIsOneLineAndTheEditorGoesOn(@TempDir Path dir) throws Exception {
        SpecEditor e = Fx.call(() -> new SpecEditor(null, p -> {}));
        Path notes = Files.writeString(dir.resolve("notes.txt"), "not a program, only some text long enough for an ELF header to be read\n");
        ExecutionException x = assertThrows(ExecutionException.class, () -> Fx.call(() -> e.setBinary(notes)).get(60, TimeUnit.SECONDS));
        assertEquals(notes + ": ELF header at offset 0x0: not an ELF file", Fx.call(e::status).replaceFirst(" \\(.*", ""), x.toString());
        assertTrue(Fx.call(e::status).endsWith("; choose a Go executable (the spec is checked without a binary)"), Fx.call(e::status));

        Path stripped = GoTargets.build(GoBuild.target("stacks").asStripped());
        assertThrows(ExecutionException.class, () -> Fx.call(() -> e.setBinary(stripped)).get(60, TimeUnit.SECONDS));
        assertEquals(stripped + ": has no DWARF (built with -ldflags=-w or stripped): its functions' variables cannot be listed or checked;"
                + " rebuild without -w/-s (the spec is checked without a binary)", Fx.call(e::status));

        Path missing = dir.resolve("none.yaml");
        assertThrows(ExecutionException.class, () -> Fx.call(() -> e.open(missing)).get(60, TimeUnit.SECONDS));
        assertEquals("Cannot open " + missing + ": no such file; check the path", Fx.call(e::status));
        assertThrows(ExecutionException.class, () -> Fx.call(() -> e.save(dir.resolve("no/such/dir.yaml"))).get(60, TimeUnit.SECONDS));
        assertEquals("Cannot save " + dir.resolve("no/such/dir.yaml") + ": its folder does not exist", Fx.call(e::status));

        // Still checking, without a binary.
        Fx.run(() -> e.code().replaceText(HOLDERS + "      - expr: a + b\n"));
        Problem p = checkOf(e, HOLDERS + "      - expr: a + b\n").problems().getFirst();
        assertEquals(5, p.line());
        assertTrue(p.message().startsWith("operators ('+') are not supported"), p.message());
        Fx.run(e.stage()::close);
    }

    @Test
    void theWorkstationOpensASpecAndUseForCaptureSetsTheNextCapturesSpec(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("holders.yaml"), HOLDERS);
        Stage stage = Fx.call(Stage::new);
        Workstation w = Fx.call(() -> new Workstation(stage, dir.resolve("history")));
        SpecEditor e = Fx.call(() -> w.editSpec(file));
        assertEquals(List.of(), checkOf(e, HOLDERS).problems());
        assertEquals("holders.yaml \u2014 Loupe spec", Fx.call(() -> e.stage().getTitle()));
        Fx.call(() -> e.useForCapture(file)).get(60, TimeUnit.SECONDS);
        assertEquals(file, Fx.call(() -> w.targets().spec()).orElseThrow());
        assertEquals("The next capture uses the spec " + file, Fx.call(w::status));
        assertEquals(List.<Tab>of(), Fx.call(w::tabs));
        // Quit takes the editor (saved: nothing to ask) with the window.
        Fx.run(() -> stage.getScene().getAccelerators().get(KeyCombination.keyCombination("Shortcut+Q")).run());
        assertFalse(Fx.call(() -> e.stage().isShowing()), "the editor went with the window");
        assertFalse(Fx.call(stage::isShowing), "the window is closed");
    }
}
