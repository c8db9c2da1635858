package dev.loupe.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every target builds with every selected toolchain, reaches {@code ready}, and is reaped afterwards. */
@ExtendWith(GoTargetExtension.class)
class TargetsTest {
    private static final Duration READY = Duration.ofSeconds(120);
    private static final List<Long> started = new ArrayList<>();

    static Stream<Arguments> targetsAndToolchains() {
        return GoToolchains.selected().stream().flatMap(tc ->
                Stream.of("stacks", "values", "httpserver", "locks").map(t -> Arguments.of(t, tc)));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("targetsAndToolchains")
    void startsAndIsReaped(String target, String toolchain) {
        long pid;
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target(target).withToolchain(toolchain), List.of(), READY)) {
            pid = t.pid();
            assertTrue(Files.exists(Path.of("/proc", Long.toString(pid))), "running target has a /proc entry");
        }
        assertFalse(Files.exists(Path.of("/proc", Long.toString(pid))), target + " was not reaped after close");
    }

    static Stream<String> toolchains() {
        return GoToolchains.selected().stream();
    }

    @ParameterizedTest(name = "grpcpair with {0}")
    @MethodSource("toolchains")
    void grpcClientAndServer(String toolchain) {
        GoBuild build = GoBuild.target("grpcpair").withToolchain(toolchain);
        try (RunningTarget server = RunningTarget.start(GoTargets.build(build), List.of("-mode", "server"))) {
            String addr = server.awaitLine(l -> l.startsWith("listening "), READY).substring("listening ".length());
            server.awaitLine("ready"::equals, READY);
            try (RunningTarget client = RunningTarget.startReady(build, List.of("-mode", "client", "-addr", addr, "-n", "5"), READY)) {
                assertTrue(client.isAlive());
                assertTrue(server.isAlive());
            }
        }
    }

    @Test
    void extensionHandsOverARunningTarget(@GoTarget(value = "stacks", args = {"-n", "10"}) RunningTarget t) {
        started.add(t.pid());
        assertTrue(t.isAlive());
        assertTrue(t.stdoutLines().contains("ready"));
    }

    @Test
    void stacksWritesItsOwnDumpOnSignal(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path oracle = dir.resolve("stacks.txt");
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "50", "-oracle", oracle.toString()), READY)) {
            t.signal("USR1");
            assertEquals("oracle " + oracle, t.awaitLine(l -> l.startsWith("oracle "), READY));
            String text = Files.readString(oracle);
            assertTrue(text.contains("goroutine 1 ["), "the dump is runtime.Stack output");
            assertTrue(text.contains("[chan receive"), "a goroutine parked in a channel receive");
        }
    }

    @Test
    void buildIsCachedAcrossRuns() {
        Path first = GoTargets.buildCached(GoBuild.target("stacks"));
        long mtime = first.toFile().lastModified();
        GoTargets.buildCached(GoBuild.target("stacks"));
        assertEquals(mtime, first.toFile().lastModified(), "a second build of unchanged sources reuses the binary");
    }

    @AfterAll
    static void extensionReapedItsTargets() {
        for (long pid : started) {
            assertFalse(Files.exists(Path.of("/proc", Long.toString(pid))), "target " + pid + " outlived its test");
        }
    }
}
