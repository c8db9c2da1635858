package dev.loupe.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a Java main of this test JVM's class path as user nobody (uid 65534) with no capabilities, through
 * util-linux's {@code setpriv}: how Loupe behaves for a user without privileges. Needs root.
 */
public final class Nobody {
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private Nobody() {}

    /** Exit status and stdout+stderr of a run. */
    public record Result(int status, String output) {}

    /**
     * Runs {@code mainClass} with {@code args} as nobody. The class path is copied under {@code dir} first,
     * world-readable, since nobody cannot read the build tree or the Maven repository under /root.
     */
    public static Result java(Path dir, String mainClass, String... args) {
        Gate.requireRoot();
        Gate.require(Files.isExecutable(SETPRIV), SETPRIV + " (util-linux) is needed to drop privileges");
        try {
            Path lib = worldReadableClasspath(dir);
            List<String> argv = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=65534", "--regid=65534",
                    "--clear-groups", "--inh-caps=-all", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                    "-cp", lib + "/*", mainClass));
            argv.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).directory(dir.toFile());
            pb.environment().put("HOME", dir.toString());
            Process p = pb.start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(mainClass + " as nobody did not finish in 120 s:\n" + output);
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Path worldReadableClasspath(Path dir) throws IOException {
        Path lib = dir.resolve("lib");
        Files.createDirectories(lib);
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(entry);
            Path jar = lib.resolve((i++) + ".jar");
            if (Files.isDirectory(src)) {
                Exec.run(Exec.cmd(Path.of(System.getProperty("java.home"), "bin", "jar").toString(),
                        "cf", jar.toString(), "-C", src.toString(), "."));
            } else if (Files.isRegularFile(src)) {
                Files.copy(src, jar);
            }
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return lib;
    }
}
