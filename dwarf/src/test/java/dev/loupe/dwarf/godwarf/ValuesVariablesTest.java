package dev.loupe.dwarf.godwarf;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.Json;
import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoToolchains;
import dev.loupe.testkit.RunningTarget;
import dev.loupe.dwarf.op.Location;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parked functions of {@code targets/values}: every variable the target's own oracle names
 * is in DWARF with the type the target declares, and has a location (register, stack slot or
 * pieces) at the pc where the goroutine is parked — the call to {@code runtime.chanrecv1} found
 * with {@code go tool objdump}. Every stack slot a location names (CFA+N, turned into SP+M with
 * the pclntab's frame size at that pc) is one the compiled code addresses as {@code M(SP)}
 * in objdump's listing of the function. The values in those slots are not read from the
 * running process: that needs a goroutine's sp, which is the agent's job.
 */
class ValuesVariablesTest {
    private static final Pattern CALL = Pattern.compile("^\\s+\\S+:\\d+\\s+0x([0-9a-f]+)\\s+([0-9a-f]+)\\s+CALL runtime\\.chanrecv1\\(SB\\)");

    /** Types as DWARF names them, from the table in targets/README.md. */
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("main.parkScalars.b", "bool"), Map.entry("main.parkScalars.u64", "uint64"),
            Map.entry("main.parkScalars.c128", "complex128"), Map.entry("main.parkScalars.sum", "int64"),
            Map.entry("main.parkStrings.bs", "[]uint8"), Map.entry("main.parkStrings.long", "string"),
            Map.entry("main.parkComposites.points", "[]main.Point"), Map.entry("main.parkComposites.grid", "[3][3]int"),
            Map.entry("main.parkComposites.emp", "main.Employee"), Map.entry("main.parkComposites.mid", "*main.Point"),
            Map.entry("main.parkPointers.ppp", "***int"), Map.entry("main.parkInterfaces.err", "error"),
            Map.entry("main.parkInterfaces.anyInt", "interface {}"), Map.entry("main.parkInterfaces.temp", "fmt.Stringer"),
            Map.entry("main.parkMaps.small", "map[string]int"), Map.entry("main.parkMaps.structKeys", "map[main.Point]string"),
            Map.entry("main.parkChannels.done", "chan struct {}"), Map.entry("main.parkChannels.jobs", "chan string"),
            Map.entry("main.parkTime.d", "time.Duration"), Map.entry("main.parkTime.t", "time.Time"),
            Map.entry("main.parkFuncs.fn", "func(int) int"),
            Map.entry("main.parkGeneric[go.shape.int].box", "main.Box[go.shape.int]"),
            Map.entry("main.parkGeneric[go.shape.string].box", "main.Box[go.shape.string]"));

    static List<String> toolchains() {
        return GoToolchains.selected();
    }

    @ParameterizedTest
    @MethodSource("toolchains")
    @SuppressWarnings("unchecked")
    void parkedVariablesHaveNamesTypesAndLocations(String toolchain, @TempDir Path tmp) throws IOException {
        Path oracleFile = tmp.resolve("oracle.json");
        Path binary;
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("values").withToolchain(toolchain),
                List.of("-oracle", oracleFile.toString()), Duration.ofSeconds(60))) {
            binary = t.binary();
        }
        Map<String, Object> oracle = (Map<String, Object>) Json.parse(Files.readString(oracleFile));
        Map<String, String> listings = new HashMap<>();
        Map<String, Long> parkedPcs = parkedPcs(binary, toolchain, listings);
        List<String> failures = new ArrayList<>();
        int typesChecked = 0;
        int slotsChecked = 0;
        try (GoBinary bin = GoBinary.open(binary)) {
            GoDwarf dwarf = bin.dwarf();
            for (Map.Entry<String, Object> e : oracle.entrySet()) {
                String fn = e.getKey();
                Function f = dwarf.function(fn).orElse(null);
                if (f == null) {
                    failures.add(fn + ": not in DWARF");
                    continue;
                }
                Long ret = parkedPcs.get(fn);
                assertTrue(ret != null, fn + ": no chanrecv1 call in objdump");
                long pc = ret - 1; // inside the call: how a caller frame's pc is looked up
                Map<String, Variable> vars = new HashMap<>();
                for (Variable v : dwarf.variables(f)) {
                    vars.put(v.name(), v);
                }
                for (String name : ((Map<String, Object>) e.getValue()).keySet()) {
                    Variable v = vars.get(name);
                    if (v == null) {
                        failures.add(fn + "." + name + ": not in DWARF (has " + vars.keySet() + ")");
                        continue;
                    }
                    String want = TYPES.get(fn + "." + name);
                    if (want != null) {
                        typesChecked++;
                        if (!want.equals(v.typeName())) {
                            failures.add(fn + "." + name + ": type " + v.typeName() + ", want " + want);
                        }
                    }
                    Location l = dwarf.location(f, v, pc);
                    if (!readable(l)) {
                        failures.add(fn + "." + name + " at 0x" + Long.toHexString(pc) + ": " + l);
                    }
                    // On amd64 the CFA is SP + frame size + 8 (the return address).
                    long frame = bin.pclntab().spDelta(pc) + 8L;
                    for (long cfaOffset : cfaOffsets(l)) {
                        long sp = cfaOffset + frame;
                        String operand = (sp == 0 ? "" : "0x" + Long.toHexString(sp)) + "(SP)";
                        slotsChecked++;
                        if (!listings.get(fn).contains(" " + operand) && !listings.get(fn).contains("," + operand)) {
                            failures.add(fn + "." + name + ": " + l + " is " + operand + ", which the code never addresses");
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), failures, GoToolchains.version(toolchain));
        assertEquals(TYPES.size(), typesChecked, "types checked");
        assertTrue(slotsChecked >= 10, slotsChecked + " stack slots checked");
    }

    /** A location a debugger can read: somewhere definite, pieces all present. */
    private static boolean readable(Location l) {
        return switch (l) {
            case Location.Register r -> true;
            case Location.CfaOffset c -> true;
            case Location.RegisterOffset r -> true;
            case Location.Indirect i -> readable(i.pointer());
            case Location.Address a -> true;
            case Location.Value v -> true;
            case Location.Pieces p -> p.pieces().stream().allMatch(x -> readable(x.location()));
            case Location.Unavailable u -> false;
            case Location.Problem p -> false;
        };
    }

    /** The CFA offsets a location names: itself, its pieces, the slot holding a pointer to it. */
    private static List<Long> cfaOffsets(Location l) {
        return switch (l) {
            case Location.CfaOffset c -> List.of(c.offset());
            case Location.Indirect i -> cfaOffsets(i.pointer());
            case Location.Pieces p -> p.pieces().stream().flatMap(x -> cfaOffsets(x.location()).stream()).toList();
            default -> List.of();
        };
    }

    /**
     * Each park function's last call to runtime.chanrecv1 (the {@code <-forever}), as its return
     * address; {@code listings} receives each function's disassembly.
     */
    private static Map<String, Long> parkedPcs(Path binary, String toolchain, Map<String, String> listings) {
        String out = Exec.run(Exec.cmd(GoToolchains.goExecutable(), "tool", "objdump", "-s", "^main\\.park", binary.toString())
                .env("GOTOOLCHAIN", toolchain));
        Map<String, Long> pcs = new HashMap<>();
        String current = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("TEXT ")) {
                current = line.substring(5, line.indexOf("(SB)"));
                continue;
            }
            if (current != null) {
                listings.merge(current, line + "\n", String::concat);
            }
            Matcher m = CALL.matcher(line);
            if (m.find() && current != null) {
                pcs.put(current, Long.parseLong(m.group(1), 16) + m.group(2).length() / 2);
            }
        }
        return pcs;
    }
}
