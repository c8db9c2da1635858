package dev.loupe.dwarf.pclntab;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.testkit.DebianEtcd;
import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoToolchains;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real program nobody here built: Debian's etcd (Go 1.19, so the 1.18 pclntab layout;
 * stripped; cgo with the external linker, so {@code runtime.text} is not where {@code .text}
 * starts): {@link DebianEtcd}.
 */
class DebianEtcdTest {
    private static Path etcd;

    @BeforeAll
    static void find() {
        etcd = DebianEtcd.binary();
    }

    @Test
    void readsTheGo119Layout() {
        try (GoBinary b = GoBinary.open(etcd)) {
            String goVersionM = Exec.run(Exec.cmd(GoToolchains.goExecutable(), "version", "-m", etcd.toString())
                    .env("GOTOOLCHAIN", GoToolchains.LOCAL));
            String version = goVersionM.lines().findFirst().orElseThrow().replaceFirst("^.*: ", "");
            assertEquals(version, b.buildInfo().orElseThrow().goVersion());
            Assumptions.assumeTrue(version.startsWith("go1.18") || version.startsWith("go1.19"), "this etcd is built by " + version);
            Pclntab tab = b.pclntab();
            assertEquals(PclntabFormat.GO_1_18, tab.format());
            assertTrue(b.isStripped());
            assertFalse(b.hasDwarf());
            assertTrue(tab.hasInlineTrees());
            assertTrue(tab.functionCount() > 10_000);
            assertTrue(tab.functions().stream().anyMatch(f -> f.name().equals("main.main")));
        }
    }

    /** etcd's own SIGQUIT dump (GOTRACEBACK=system: every frame with its pc) against our expansion. */
    @Test
    void sigquitTracebackMatches(@TempDir Path tmp) throws Exception {
        int client = DebianEtcd.freePort();
        int peer = DebianEtcd.freePort();
        String clientUrl = "http://127.0.0.1:" + client;
        String peerUrl = "http://127.0.0.1:" + peer;
        ProcessBuilder pb = new ProcessBuilder(etcd.toString(), "--data-dir", tmp.resolve("data").toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "default=" + peerUrl)
                .redirectOutput(tmp.resolve("stdout").toFile()).redirectError(tmp.resolve("stderr").toFile());
        pb.environment().put("GOTRACEBACK", "system");
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(tmp.resolve("stderr")).contains("ready to serve client requests") && p.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Exec.run(Exec.cmd("kill", "-s", "QUIT", Long.toString(p.pid())));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly().waitFor();
        }
        List<String> dump = Files.readAllLines(tmp.resolve("stderr"), StandardCharsets.UTF_8);
        try (GoBinary b = GoBinary.open(etcd)) {
            Tracebacks.Checked c = Tracebacks.check(b.pclntab(), dump, true);
            assertTrue(c.groups() > 100 && c.inlinedGroups() > 0 && c.createdBy() > 10, c + "\n" + String.join("\n", dump));
        }
    }
}
