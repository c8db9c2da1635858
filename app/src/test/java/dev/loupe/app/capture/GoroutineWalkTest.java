package dev.loupe.app.capture;

import dev.loupe.agent.capture.IteratorCapture;
import dev.loupe.agent.capture.RawCapture;
import dev.loupe.bpf.btf.Btf;
import dev.loupe.bpf.btf.KernelFacts;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.probegen.GoroutineWalk;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The goroutine walk, end to end on a live process: generated from the binary's runtime layout, run by the
 * agent inside a pause, and compared with the target's own runtime.Stack(all) taken right after.
 */
class GoroutineWalkTest {
    private static final Pattern GOROUTINE = Pattern.compile("^goroutine (\\d+) \\[([^\\],]+)");
    private static final int G_WAITING = 4;
    private static final int G_SYSCALL = 3;
    private static final int G_DEAD = 6;

    @ParameterizedTest
    @ValueSource(ints = {1, 1_000, 100_000})
    void everyGoroutineRuntimeStackShowsIsCapturedInItsState(int goroutines, @TempDir Path dir) throws Exception {
        Gate.requireRoot();
        Path oracle = dir.resolve("stacks.txt");
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"),
                List.of("-n", Integer.toString(goroutines), "-oracle", oracle.toString()), Duration.ofSeconds(120))) {
            RuntimeLayout layout;
            try (GoBinary b = GoBinary.open(t.binary())) {
                layout = b.runtimeLayout();
            }
            KernelFacts kernel = KernelFacts.of(Btf.read(Path.of("/sys/kernel/btf/vmlinux")));
            int pid = (int) t.pid();
            RawCapture raw = IteratorCapture.run(pid, GoroutineWalk.program(layout, kernel, pid), kernel.iterTask(),
                    GoroutineWalk.RECORDS_MAP, 128L << 20, Duration.ofSeconds(5));

            Map<Long, Integer> status = new HashMap<>();
            for (byte[] r : raw.records()) {
                ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(0, b.getInt(4), "copy error for allgs[" + b.getInt(0) + "]");
                int g = GoroutineWalk.HEADER_BYTES;
                int st = b.getInt(g + (int) layout.g().atomicstatus()) & ~0x1000;
                if (st != G_DEAD) {
                    status.put(b.getLong(g + (int) layout.g().goid()), st);
                }
            }

            t.signal("USR1");
            t.awaitLine(l -> l.startsWith("oracle "), Duration.ofSeconds(120));
            int compared = 0;
            for (String line : Files.readAllLines(oracle)) {
                Matcher m = GOROUTINE.matcher(line);
                if (!m.find() || m.group(2).equals("running") || m.group(2).equals("runnable")) {
                    continue;
                }
                long goid = Long.parseLong(m.group(1));
                assertTrue(status.containsKey(goid), "goroutine " + goid + " [" + m.group(2) + "] was not captured");
                int expected = m.group(2).equals("syscall") ? G_SYSCALL : G_WAITING;
                assertEquals(expected, status.get(goid), "status of goroutine " + goid + " [" + m.group(2) + "]");
                compared++;
            }
            assertTrue(compared >= goroutines, compared + " goroutines compared");
        }
    }
}
