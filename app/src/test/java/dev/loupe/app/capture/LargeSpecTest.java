package dev.loupe.app.capture;

import dev.loupe.agent.LocalAgent;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.godwarf.Function;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.Variable;
import dev.loupe.probegen.spec.SpecReader;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A spec of 300 functions with 5 expressions each loads and runs: the capture code is the same whatever the spec
 * (the plan is in maps), so no verifier limit grows with it. The functions are real ones of {@code targets/stacks}
 * (the runtime's and the standard library's among them), each with 5 variables.
 */
class LargeSpecTest {
    private static final int FUNCTIONS = 300;
    private static final int EXPRESSIONS = 5;

    @Test
    void threeHundredFunctionsOfFiveExpressionsLoadAndRun(@TempDir Path dir) throws Exception {
        Gate.requireRoot();
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "1000"), Duration.ofSeconds(120))) {
            StringBuilder yaml = new StringBuilder("functions:\n");
            int functions = 0;
            try (GoBinary b = GoBinary.open(t.binary())) {
                GoDwarf dwarf = b.dwarf();
                for (Function f : dwarf.functions()) {
                    Set<String> names = new LinkedHashSet<>();
                    for (Variable v : dwarf.variables(f)) {
                        if (v.name().matches("[A-Za-z_][A-Za-z0-9_]*") && !v.locations().isEmpty()) {
                            names.add(v.name());
                        }
                    }
                    if (names.size() < EXPRESSIONS || f.name().contains("\"") || !f.name().matches("[\\x21-\\x7e]+")) {
                        continue;
                    }
                    yaml.append("  - function: '").append(f.name().replace("'", "''")).append("'\n    capture:\n");
                    names.stream().limit(EXPRESSIONS).forEach(n -> yaml.append("      - expr: ").append(n).append('\n'));
                    if (++functions == FUNCTIONS) {
                        break;
                    }
                }
            }
            assertEquals(FUNCTIONS, functions, "functions with " + EXPRESSIONS + " variables in the binary");
            Path db = dir.resolve("large.db");
            Snapshotter.Result r = new Snapshotter(new LocalAgent(), Snapshotter.Options.DEFAULT, line -> {})
                    .take(List.of((int) t.pid()), db, SpecReader.parse(yaml.toString(), "large.yaml"));
            Snapshotter.ProcessSummary p = r.processes().getFirst();
            System.out.printf("%d functions x %d expressions: generated in %.1f ms, loaded and verified in %.1f ms, paused %.2f ms%n",
                    FUNCTIONS, EXPRESSIONS, r.generateNs() / 1e6, p.loadNs() / 1e6, p.pauseNs() / 1e6);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM function_tables")) {
                rs.next();
                assertEquals(FUNCTIONS, rs.getInt(1), "a function table per spec function");
            }
            assertTrue(r.goroutines() >= 1000);
        }
    }
}
