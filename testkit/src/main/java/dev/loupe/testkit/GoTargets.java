package dev.loupe.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Builds the Go programs in {@code targets/} (and packages of the toolchain itself)
 * for tests. Binaries are cached under {@code targets/.build/<go version>/}, keyed by a
 * hash of the sources, the toolchain and the build variant: a rerun with nothing
 * changed costs one hash of the sources and no {@code go} invocation.
 */
public final class GoTargets {
    private static final Map<GoBuild, Path> built = new ConcurrentHashMap<>();

    private GoTargets() {}

    /** The repository root: {@code LOUPE_ROOT}, else the nearest directory above with targets/go.mod. */
    public static Path repoRoot() {
        String env = System.getenv("LOUPE_ROOT");
        if (env != null && Files.isRegularFile(Path.of(env, "targets", "go.mod"))) {
            return Path.of(env).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("targets/go.mod"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (no targets/go.mod above " + Path.of("").toAbsolutePath() + ")");
    }

    /** Builds (or reuses) the target {@code name} with the machine's Go. */
    public static Path build(String name) {
        return build(GoBuild.target(name));
    }

    /** Builds (or reuses) the program described by {@code b}; returns the binary's path. */
    public static Path build(GoBuild b) {
        return built.computeIfAbsent(b, GoTargets::buildCached);
    }

    /** Builds unless the on-disk cache holds a binary for the same key; not memoised per JVM. */
    static Path buildCached(GoBuild b) {
        Path root = repoRoot();
        String goVersion = GoToolchains.version(b.toolchain());
        Path dir = root.resolve("targets/.build").resolve(goVersion);
        Path out = dir.resolve(b.fileName());
        Path keyFile = dir.resolve(b.fileName() + ".key");
        String key = key(root, b, goVersion);
        try {
            Files.createDirectories(dir);
            // Several test JVMs may build the same binary: one builds, the others wait and reuse.
            try (FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                if (Files.isExecutable(out) && Files.isRegularFile(keyFile)
                        && Files.readString(keyFile).equals(key)) {
                    return out;
                }
                Path tmp = dir.resolve(b.fileName() + ".tmp");
                Exec.run(command(b, tmp).dir(b.pkg().startsWith("std:") ? dir : root.resolve("targets")));
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.writeString(keyFile, key);
                return out;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("building " + b + ": " + e.getMessage(), e);
        }
    }

    private static Exec command(GoBuild b, Path out) {
        List<String> argv = new ArrayList<>(List.of(GoToolchains.goExecutable(), "build", "-buildvcs=false", "-o", out.toString()));
        if (b.stripped()) {
            argv.add("-ldflags=-s -w");
        }
        if (b.pie()) {
            argv.add("-buildmode=pie");
        }
        argv.add(b.pkg().startsWith("std:") ? b.pkg().substring(4) : "./" + b.pkg());
        Exec e = Exec.cmd(argv).env("GOTOOLCHAIN", b.toolchain()).timeoutSeconds(900);
        for (String assignment : b.env()) {
            int eq = assignment.indexOf('=');
            e.env(assignment.substring(0, eq), assignment.substring(eq + 1));
        }
        return e;
    }

    /** Hash of everything the binary depends on: sources (for targets), toolchain, variant. */
    private static String key(Path root, GoBuild b, String goVersion) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((goVersion + "\n" + b + "\n").getBytes(StandardCharsets.UTF_8));
            if (!b.pkg().startsWith("std:")) {
                Path targets = root.resolve("targets");
                try (Stream<Path> files = Files.walk(targets)) {
                    List<Path> sources = files
                            .filter(p -> !targets.relativize(p).startsWith(".build"))
                            .filter(Files::isRegularFile)
                            .sorted()
                            .toList();
                    for (Path p : sources) {
                        sha.update(targets.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                        sha.update(Files.readAllBytes(p));
                    }
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
