package dev.loupe.dwarf;

import dev.loupe.testkit.Exec;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoTargets;
import dev.loupe.testkit.GoToolchains;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The binaries the dwarf tests read, built on demand and cached: the {@code go} command (through
 * the testkit's cache) and the small {@code inlining} program from the test resources, in
 * several link variants, under {@code target/go-bin/<go version>/}.
 */
public final class TestBinaries {
    /** How the {@code inlining} program is linked. */
    public enum Variant {
        PLAIN(List.of(), List.of()),
        PIE(List.of("-buildmode=pie"), List.of()),
        STRIPPED(List.of("-ldflags=-s -w"), List.of()),
        /** cgo with the external (gcc/ld) linker: C runtime code before runtime.text. */
        EXTERNAL_LINK(List.of("-ldflags=-linkmode=external"), List.of("CGO_ENABLED=1")),
        UNCOMPRESSED_DWARF(List.of("-ldflags=-compressdwarf=false"), List.of()),
        /** DWARF 4 instead of Go 1.25+'s default DWARF 5 ({@code internal/buildcfg}: experiment dwarf5). */
        DWARF4(List.of(), List.of("GOEXPERIMENT=nodwarf5"));

        final List<String> flags;
        final List<String> env;

        Variant(List<String> flags, List<String> env) {
            this.flags = flags;
            this.env = env;
        }
    }

    private static final Path SOURCE = Path.of("src/test/resources/dev/loupe/dwarf/inlining").toAbsolutePath();
    private static final Map<String, Path> built = new ConcurrentHashMap<>();

    private TestBinaries() {}

    /** The {@code go} command of the machine's toolchain, with symbols and DWARF (~20 MB). */
    public static Path goCommand() {
        return GoTargets.build(new GoBuild("std:cmd/go", GoToolchains.LOCAL, false, false, List.of()));
    }

    /** The {@code go} command linked with {@code -s -w}. */
    public static Path goCommandStripped() {
        return GoTargets.build(new GoBuild("std:cmd/go", GoToolchains.LOCAL, true, false, List.of()));
    }

    /** The {@code inlining} test program built with the machine's Go. */
    public static Path inlining(Variant v) {
        return inlining(v, GoToolchains.LOCAL);
    }

    /** The {@code inlining} test program built with {@code toolchain} (a GOTOOLCHAIN value). */
    public static synchronized Path inlining(Variant v, String toolchain) {
        String version = GoToolchains.version(toolchain);
        return built.computeIfAbsent(version + "/" + v, k -> build(v, toolchain, version));
    }

    private static Path build(Variant v, String toolchain, String version) {
        Path out = Path.of("target/go-bin", version, "inlining-" + v.name().toLowerCase()).toAbsolutePath();
        try {
            Files.createDirectories(out.getParent());
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            List<String> argv = new ArrayList<>(List.of(GoToolchains.goExecutable(), "build", "-buildvcs=false", "-o", tmp.toString()));
            argv.addAll(v.flags);
            argv.add(".");
            Exec e = Exec.cmd(argv).dir(SOURCE).env("GOTOOLCHAIN", toolchain).env("CGO_ENABLED", "0").timeoutSeconds(900);
            for (String assignment : v.env) {
                int eq = assignment.indexOf('=');
                e.env(assignment.substring(0, eq), assignment.substring(eq + 1));
            }
            Exec.run(e);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code go tool NAME ARGS...} with the machine's Go and returns its output. */
    public static String goTool(String... args) {
        List<String> argv = new ArrayList<>(List.of(GoToolchains.goExecutable(), "tool"));
        argv.addAll(List.of(args));
        return Exec.run(Exec.cmd(argv).env("GOTOOLCHAIN", GoToolchains.LOCAL));
    }

    /** Copies {@code src} to {@code dir}/{@code name} after {@code edit} rewrites its bytes. */
    public static Path editedCopy(Path src, Path dir, String name, java.util.function.Consumer<byte[]> edit) {
        try {
            byte[] b = Files.readAllBytes(src);
            edit.accept(b);
            Path out = dir.resolve(name);
            Files.write(out, b);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
