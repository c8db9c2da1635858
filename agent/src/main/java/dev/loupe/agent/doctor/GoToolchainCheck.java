package dev.loupe.agent.doctor;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Go toolchains on this host, each with its {@code go version}: {@code go} on {@code PATH},
 * {@code /usr/local/go}, and toolchains that {@code GOTOOLCHAIN} downloaded into the module cache
 * ({@code $GOMODCACHE/golang.org/toolchain@*}). Only the tests that build Loupe's Go targets need one.
 */
final class GoToolchainCheck implements Check {
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);
    private static final int OUTPUT_LIMIT = 4096;

    @Override
    public String name() {
        return "Go toolchains";
    }

    @Override
    public boolean required() {
        return false;
    }

    @Override
    public String fallbackRemedy() {
        return "install Go from https://go.dev/dl/ where Loupe's Go test targets are built";
    }

    @Override
    public Finding run(Host host) throws IOException, InterruptedException {
        List<String> found = new ArrayList<>();
        for (Path go : candidates(System.getenv())) {
            found.add(version(go) + " (" + go + ")");
        }
        if (found.isEmpty()) {
            return Finding.warn(name(), "no go on PATH, in /usr/local/go or in the module cache", fallbackRemedy());
        }
        return Finding.ok(name(), String.join("; ", found), required());
    }

    /** Every distinct {@code go} binary, by real path, in search order. */
    static Set<Path> candidates(Map<String, String> env) throws IOException {
        List<Path> paths = new ArrayList<>();
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                paths.add(Path.of(dir, "go"));
            }
        }
        paths.add(Path.of("/usr/local/go/bin/go"));
        Path toolchains = moduleCache(env).resolve("golang.org");
        if (Files.isDirectory(toolchains)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(toolchains, "toolchain@*")) {
                for (Path dir : dirs) {
                    paths.add(dir.resolve("bin/go"));
                }
            }
        }
        Set<Path> real = new LinkedHashSet<>();
        for (Path p : paths) {
            if (Files.isExecutable(p) && Files.isRegularFile(p)) {
                real.add(p.toRealPath());
            }
        }
        return real;
    }

    /** {@code $GOMODCACHE}, else the first {@code $GOPATH} entry's {@code pkg/mod}, else {@code ~/go/pkg/mod}. */
    private static Path moduleCache(Map<String, String> env) {
        String cache = env.get("GOMODCACHE");
        if (cache != null && !cache.isEmpty()) {
            return Path.of(cache);
        }
        String gopath = env.get("GOPATH");
        if (gopath != null && !gopath.isEmpty()) {
            return Path.of(gopath.split(File.pathSeparator)[0], "pkg", "mod");
        }
        return Path.of(System.getProperty("user.home"), "go", "pkg", "mod");
    }

    /**
     * {@code go version}, with GOTOOLCHAIN=local so that it never downloads anything. The output goes to a file,
     * not a pipe, so that a hung {@code go} cannot block the read and no pipe outlives the call.
     */
    private static String version(Path go) throws IOException, InterruptedException {
        Path output = Files.createTempFile("loupe-doctor-go", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(go.toString(), "version")
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("GOTOOLCHAIN", "local");
            Process p = pb.start();
            if (!p.waitFor(VERSION_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(1, TimeUnit.SECONDS);
                return "go version timed out";
            }
            String text;
            try (InputStream in = Files.newInputStream(output)) {
                text = new String(in.readNBytes(OUTPUT_LIMIT), StandardCharsets.UTF_8).strip();
            }
            if (p.exitValue() != 0) {
                return "go version failed: " + text.lines().findFirst().orElse("exit " + p.exitValue());
            }
            return text.startsWith("go version ") ? text.substring("go version ".length()) : text;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
