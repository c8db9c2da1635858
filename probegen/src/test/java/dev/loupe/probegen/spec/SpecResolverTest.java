package dev.loupe.probegen.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.godwarf.Function;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.Types;
import dev.loupe.dwarf.godwarf.Variable;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoTargets;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specs resolved against {@code targets/values}: access paths whose field offsets are those the target reports
 * about itself ({@code -layout}, from {@code unsafe.Offsetof} via reflect), Go's selector rules on the standard
 * library's embedded structs, and each kind of problem at its place in the spec.
 */
class SpecResolverTest {
    private static Path binaryPath;
    private static GoBinary binary;
    private static Types types;
    private static JsonNode layout;

    @BeforeAll
    static void buildAndAskTheTargetForItsLayouts(@TempDir Path tmp) throws IOException {
        Path layoutFile = tmp.resolve("layout.json");
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("values"), List.of("-layout", layoutFile.toString()),
                Duration.ofSeconds(60))) {
            binaryPath = t.binary();
        }
        layout = new ObjectMapper().readTree(Files.readString(layoutFile));
        binary = GoBinary.open(binaryPath);
        types = binary.dwarf().types();
    }

    @AfterAll
    static void close() {
        binary.close();
    }

    /** The offset of {@code field} in struct {@code type}, as the target's own unsafe.Offsetof says. */
    private static long offset(String type, String field) {
        for (JsonNode f : layout.get(type).get("fields")) {
            if (f.get("name").asText().equals(field)) {
                return f.get("offset").asLong();
            }
        }
        throw new AssertionError("no field " + field + " in the layout of " + type);
    }

    /** The offset of {@code field} in struct {@code type}, as DWARF says (for types the layout file does not list). */
    private static long dwarfOffset(String type, String field) {
        GoType t = types.byName(type).orElseThrow();
        return assertInstanceOf(GoType.Struct.class, types.underlying(t)).field(field).orElseThrow().offset();
    }

    private static String render(Step s) {
        return switch (s) {
            case Step.Deref d -> "Deref " + d.pointee().name();
            case Step.FieldAt f -> "FieldAt " + f.name() + "@" + f.offset() + " " + f.type().name();
            case Step.Index i -> "Index " + i.index() + " " + i.element().name() + " " + i.through();
            case Step.Len l -> "Len " + l.of();
            case Step.Cap c -> "Cap " + c.of();
        };
    }

    private static ResolvedSpec resolve(String yaml) throws SpecException {
        return SpecResolver.resolve(SpecReader.parse(yaml, "s.yaml"), binary);
    }

    /** The one capture of a spec with one function. */
    private static ResolvedCapture capture(String function, String expr) throws SpecException {
        ResolvedSpec r = resolve("functions:\n  - function: " + function + "\n    capture:\n      - expr: '" + expr + "'\n");
        return r.functions().getFirst().captures().getFirst();
    }

    private static List<String> path(String function, String expr) throws SpecException {
        return capture(function, expr).path().stream().map(SpecResolverTest::render).toList();
    }

    /** The problems of a spec with one capture, whose expression starts at line 4, column 16. */
    private static String problems(String function, String expr) {
        return assertThrows(SpecException.class, () -> capture(function, expr)).getMessage();
    }

    @Test
    void pointersAreFollowedAndFieldsSitAtTheTargetsOwnOffsets() throws SpecException {
        ResolvedCapture next = capture("main.parkPointers", "list.Next.Value");
        assertEquals(List.of("Deref main.Node", "FieldAt Next@" + offset("main.Node", "Next") + " *main.Node", "Deref main.Node",
                "FieldAt Value@" + offset("main.Node", "Value") + " int"), next.path().stream().map(SpecResolverTest::render).toList());
        assertEquals(List.of("list"), next.roots().stream().map(Variable::name).toList());
        assertEquals("*main.Node", next.rootType().name());
        assertEquals("int", next.resultType().name());
        // The pointee is the type the pointer's DWARF names (a typedef of the struct); its shape is the struct.
        assertSame(types.byName("main.Node").orElseThrow(), types.underlying(((Step.Deref) next.path().getFirst()).pointee()));
        assertEquals(new Expr.Field(new Expr.Field(new Expr.Ident("list", 1), "Next", 6), "Value", 11), next.expr());

        assertEquals(List.of("Deref **int", "Deref *int", "Deref int"), path("main.parkPointers", "***ppp"));
        assertEquals(List.of("Deref main.Peer", "FieldAt Other@" + offset("main.Peer", "Other") + " *main.Peer", "Deref main.Peer",
                "FieldAt Name@" + offset("main.Peer", "Name") + " string", "Index 0 uint8 STRING"), path("main.parkPointers", "a.Other.Name[0]"));
        assertEquals(List.of("Deref main.Point", "FieldAt X@" + offset("main.Point", "X") + " int"), path("main.parkComposites", "mid.X"));
        assertEquals(List.of("Deref main.Point", "FieldAt X@0 int"), path("main.parkComposites", "(*mid).X"));
    }

    @Test
    void arraysSlicesAndStringsAreIndexedAndMeasured() throws SpecException {
        String f = "main.parkComposites";
        assertEquals(List.of("FieldAt Address@" + offset("main.Employee", "Address") + " main.Address",
                "FieldAt City@" + offset("main.Address", "City") + " string"), path(f, "emp.Address.City"));
        assertEquals(List.of("Index 2 [3]int ARRAY", "Index 1 int ARRAY"), path(f, "grid[2][1]"));
        assertEquals(List.of("Index 1 main.Point SLICE", "FieldAt Y@" + offset("main.Point", "Y") + " int"), path(f, "points[1].Y"));
        assertEquals(List.of("FieldAt Scores@" + offset("main.Employee", "Scores") + " [3]int16", "Index 2 int16 ARRAY"), path(f, "emp.Scores[2]"));
        assertEquals(List.of("FieldAt Tags@" + offset("main.Employee", "Tags") + " []string", "Len SLICE"), path(f, "len(emp.Tags)"));
        assertEquals(List.of("Cap SLICE"), path(f, "cap(window)"));
        assertEquals(List.of("Len ARRAY"), path(f, "len(arr)"));
        assertEquals(List.of("Index 0 [3]int ARRAY", "Cap ARRAY"), path(f, "cap(grid[0])"));
        assertEquals(List.of("Len STRING"), path("main.parkStrings", "len(long)"));
        assertEquals(List.of("Len CHAN"), path("main.parkChannels", "len(nums)"));
        assertEquals(List.of("Cap CHAN"), path("main.parkChannels", "cap(jobs)"));
        assertEquals(List.of("Len MAP"), path("main.parkMaps", "len(small)"));
        assertEquals("int", capture("main.parkMaps", "len(small)").resultType().name());
    }

    @Test
    void namedTypesStayAsDeclared() throws SpecException {
        ResolvedCapture d = capture("main.parkTime", "d");
        assertEquals(List.of(), d.path());
        assertEquals("time.Duration", d.resultType().name());
        assertSame(d.rootType(), d.resultType());
        assertEquals(List.of("FieldAt loc@" + offset("time.Time", "loc") + " *time.Location", "Deref time.Location",
                "FieldAt name@" + offset("time.Location", "name") + " string"), path("main.parkTime", "t.loc.name"));
    }

    @Test
    void aGenericsShapeCopyHasItsOwnVariables() throws SpecException {
        ResolvedCapture label = capture("main.parkGeneric[go.shape.int]", "box.Label");
        assertEquals(List.of("FieldAt Label@" + offset("main.Box[int]", "Label") + " string"),
                label.path().stream().map(SpecResolverTest::render).toList());
        // box's declared type is the dictionary's entry; its shape gives the layout.
        assertTrue(assertInstanceOf(GoType.Typedef.class, label.rootType()).dictIndex().isPresent(), label.rootType().toString());
        assertEquals(List.of("FieldAt Count@" + offset("main.Box[string]", "Count") + " int32"),
                path("main.parkGeneric[go.shape.string]", "box.Count"));
    }

    @Test
    void fieldsOfEmbeddedStructsArePromoted() throws SpecException {
        String f = "reflect.(*structType).Field";
        // type structType struct { abi.StructType }; type StructType struct { Type; PkgPath Name; Fields []StructField }
        List<String> size = path(f, "t.Size_");
        assertEquals(List.of("Deref reflect.structType", "FieldAt StructType@0 internal/abi.StructType", "FieldAt Type@0 internal/abi.Type",
                "FieldAt Size_@" + dwarfOffset("internal/abi.Type", "Size_") + " uintptr"), size);
        assertEquals(size, path(f, "t.StructType.Type.Size_"));
        assertEquals(List.of("Deref reflect.structType", "FieldAt StructType@0 internal/abi.StructType",
                "FieldAt Fields@" + dwarfOffset("internal/abi.StructType", "Fields") + " []internal/abi.StructField"), path(f, "t.Fields"));
    }

    @Test
    void embeddedPointersAreFollowed() throws SpecException {
        // type File struct { *file }
        assertEquals(List.of("Deref os.File", "FieldAt file@0 *os.file", "Deref os.file",
                "FieldAt name@" + dwarfOffset("os.file", "name") + " string"), path("os.(*File).Write", "f.name"));
    }

    @Test
    void aVariableMovedToTheHeapIsDereferenced() throws SpecException {
        GoDwarf dwarf = binary.dwarf();
        Function function = null;
        Variable escaped = null;
        for (String name : dwarf.functionNames().stream().filter(n -> n.startsWith("runtime.")).sorted().toList()) {
            Function f = dwarf.function(name).orElseThrow();
            Optional<Variable> v = dwarf.variables(f).stream()
                    .filter(x -> x.name().startsWith("&") && x.typeName().startsWith("*")).findFirst();
            if (v.isPresent()) {
                function = f;
                escaped = v.get();
                break;
            }
        }
        assertNotNull(function, "no runtime function has a variable moved to the heap (&x) in DWARF");
        ResolvedCapture c = capture(function.name(), escaped.name().substring(1));
        assertEquals(List.of(escaped.dieOffset()), c.roots().stream().map(Variable::dieOffset).toList());
        assertEquals(escaped.typeName(), c.rootType().name());
        assertEquals(List.of("Deref " + escaped.typeName().substring(1)), c.path().stream().map(SpecResolverTest::render).toList());
    }

    @Test
    void theSampleSpecResolvesWhole() throws Exception {
        Path file = Path.of(SpecResolverTest.class.getResource("values.yaml").toURI());
        ResolvedSpec r = SpecResolver.resolve(SpecReader.read(file), binary);
        assertEquals(List.of("main.parkPointers", "main.parkComposites", "main.parkTime"),
                r.functions().stream().map(f -> f.function().name()).toList());
        List<String> names = new ArrayList<>();
        r.functions().forEach(f -> f.captures().forEach(c -> names.add(c.spec().name())));
        assertEquals(List.of("list_Next_Value", "depth_again", "a_Other_Name_0", "emp_Address_City", "grid_2_1", "points_1_Y", "mid_X",
                "len_emp_Tags", "cap_window", "len_arr", "d", "t_loc_name"), names);
    }

    @Test
    void typosGetSuggestionsAtTheirPlace() throws Exception {
        Path file = Path.of(SpecResolverTest.class.getResource("typos.yaml").toURI());
        SpecException e = assertThrows(SpecException.class, () -> SpecResolver.resolve(SpecReader.read(file), binary));
        String s = file.toString();
        assertEquals(List.of(
                new Problem(s, 2, 15, "unknown function 'main.parkPointer'; did you mean main.parkPointers?"),
                new Problem(s, 5, 19, "emp.Adress: main.Employee has no field Adress; did you mean Address?"),
                new Problem(s, 6, 19, "index 3 out of range: grid has type [3][3]int (length 3); use an index from 0 to 2"),
                new Problem(s, 7, 15, "unknown variable 'pionts' in main.parkComposites; did you mean points?"),
                new Problem(s, 10, 17, "t.String is a method value (String is a method of time.Time), and methods cannot be called here; "
                        + "capture a field, or t itself")), e.problems());
        assertEquals(5, e.getMessage().lines().count());
    }

    @Test
    void farOffNamesSayHowToListTheRealOnes() {
        SpecException generic = assertThrows(SpecException.class, () -> resolve("functions:\n  - function: main.parkGeneric\n"));
        assertEquals("s.yaml:2:15: unknown function 'main.parkGeneric'; did you mean main.parkGeneric[go.shape.int], "
                + "main.parkGeneric[go.shape.string]?", generic.getMessage());
        SpecException far = assertThrows(SpecException.class, () -> resolve("functions:\n  - function: main.somethingElse\n"));
        assertEquals("s.yaml:2:15: unknown function 'main.somethingElse'; `loupe binary funcs " + binaryPath + "` lists the functions",
                far.getMessage());
        assertEquals("s.yaml:4:16: unknown variable 'zzzzzz' in main.parkTime; `loupe binary vars " + binaryPath
                + " main.parkTime` lists its variables", problems("main.parkTime", "zzzzzz"));
        assertEquals("s.yaml:4:20: emp.Actve: main.Employee has no field Actve; did you mean Active?",
                problems("main.parkComposites", "emp.Actve"));
    }

    @Test
    void expressionsMustFitTheirTypes() {
        String f = "main.parkComposites";
        assertEquals("s.yaml:4:16: cannot dereference emp: it has type main.Employee, not a pointer; remove the '*'", problems(f, "*emp"));
        assertEquals("s.yaml:4:25: emp.Name has type string, which has no fields; '.' selects a field of a struct or of a pointer to one",
                problems(f, "emp.Name.x"));
        assertEquals("s.yaml:4:16: invalid argument for len: emp has type main.Employee; len takes a string, slice, array, map or channel",
                problems(f, "len(emp)"));
        assertEquals("s.yaml:4:16: invalid argument for cap: small has type map[string]int; cap takes a slice, array or channel",
                problems("main.parkMaps", "cap(small)"));
        assertEquals("s.yaml:4:21: map indexes are not supported (small has type map[string]int); capture the map itself",
                problems("main.parkMaps", "small[0]"));
        assertEquals("s.yaml:4:20: cannot index nums: it has type chan int; only arrays, slices and strings can be indexed",
                problems("main.parkChannels", "nums[0]"));
        assertEquals("s.yaml:4:20: err has type error, an interface: its dynamic value's fields cannot be selected (type assertions are "
                + "not supported); capture err itself", problems("main.parkInterfaces", "err.Query"));
        assertEquals("s.yaml:4:16: cannot dereference d: it has type time.Duration, not a pointer; remove the '*'",
                problems("main.parkTime", "*d"));
        assertEquals("s.yaml:4:17: operators ('+') are not supported; an expression is a variable with fields (.f), constant indexes ([3]), "
                + "*, len() and cap()", problems(f, "a+b"));
    }

    @Test
    void allFunctionsProblemsComeTogether() {
        SpecException e = assertThrows(SpecException.class, () -> resolve("""
                functions:
                  - function: main.parkTime
                    capture:
                      - expr: nope
                      - expr: d
                  - function: main.nope
                  - function: main.parkMaps
                    capture:
                      - expr: small.x
                """));
        assertEquals(List.of(4, 6, 9), e.problems().stream().map(Problem::line).toList());
    }

    @Test
    void aBinaryWithoutDwarfIsOneProblem() throws SpecException {
        Path stripped = GoTargets.build(GoBuild.target("values").asStripped());
        Spec spec = SpecReader.parse("functions:\n  - function: main.parkTime\n", "s.yaml");
        try (GoBinary bin = GoBinary.open(stripped)) {
            SpecException e = assertThrows(SpecException.class, () -> SpecResolver.resolve(spec, bin));
            assertEquals(stripped + ": has no DWARF (built with -ldflags=-w or stripped): variables cannot be captured; rebuild without -w/-s",
                    e.getMessage());
            assertEquals(List.of(new Problem(stripped.toString(), 0, 0,
                    "has no DWARF (built with -ldflags=-w or stripped): variables cannot be captured; rebuild without -w/-s")), e.problems());
        }
    }
}
