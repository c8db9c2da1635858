package dev.loupe.dwarf.pclntab;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoToolchains;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * targets/stacks' own {@code runtime.Stack(buf, true)} — every chain kind, inlined frames included
 * ({@code main.waitOn}, {@code sync.(*Mutex).Lock}, {@code main.snooze}) — agrees frame by frame with
 * the pclntab's expansion of each frame's pc, plain and stripped, for every selected toolchain.
 */
class StacksTargetTest {
    static Stream<GoBuild> builds() {
        return GoToolchains.selected().stream().flatMap(t -> Stream.of(
                GoBuild.target("stacks").withToolchain(t), GoBuild.target("stacks").withToolchain(t).asStripped()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builds")
    void runtimeStackOfEveryChainMatches(GoBuild build, @TempDir Path dir) throws Exception {
        Path oracle = dir.resolve("stacks.txt");
        List<String> dump;
        try (RunningTarget t = RunningTarget.startReady(build, List.of("-n", "200", "-oracle", oracle.toString()),
                Duration.ofSeconds(60))) {
            t.signal("USR1");
            t.awaitLine(l -> l.startsWith("oracle "), Duration.ofSeconds(60));
            dump = parkedOnly(Files.readAllLines(oracle));
            try (GoBinary b = GoBinary.open(t.binary())) {
                Tracebacks.Checked c = Tracebacks.check(b.pclntab(), dump, false);
                // 200 goroutines less the busy one, at least three checked frames each; several chain kinds inline.
                assertTrue(c.groups() >= 600 && c.inlinedGroups() >= 100 && c.createdBy() >= 195, c.toString());
            }
        }
    }

    /**
     * The dump without running and runnable goroutines (the busy loop, the dumping goroutine): their innermost
     * pc is wherever they were interrupted, not a return address, so it is not the pc - 1 Tracebacks expands.
     */
    private static List<String> parkedOnly(List<String> dump) {
        List<String> out = new java.util.ArrayList<>();
        boolean keep = true;
        for (String line : dump) {
            if (line.startsWith("goroutine ")) {
                keep = !line.matches("goroutine \\d+ \\[(running|runnable).*");
            }
            if (keep) {
                out.add(line);
            }
        }
        return out;
    }
}
