package dev.loupe.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * How to build one Go program for a test: which package, with which toolchain, and
 * in which variant. Each distinct value gets its own cached binary.
 *
 * @param pkg       a target under {@code targets/} (e.g. "stacks") or, starting with
 *                  "std:", a package of the toolchain itself (e.g. "std:cmd/go")
 * @param toolchain {@link GoToolchains#LOCAL} for the machine's Go, else a
 *                  {@code GOTOOLCHAIN} value such as "go1.24.11"
 * @param stripped  link with {@code -ldflags=-s -w}: no symbol table, no DWARF
 * @param pie       {@code -buildmode=pie}
 * @param env       extra environment, e.g. "CGO_ENABLED=1" or "GOEXPERIMENT=..."
 */
public record GoBuild(String pkg, String toolchain, boolean stripped, boolean pie, List<String> env) {

    public GoBuild {
        env = List.copyOf(env);
    }

    /** The target {@code name} under {@code targets/}, built with the machine's Go. */
    public static GoBuild target(String name) {
        return new GoBuild(name, GoToolchains.LOCAL, false, false, List.of());
    }

    public GoBuild withToolchain(String toolchain) {
        return new GoBuild(pkg, toolchain, stripped, pie, env);
    }

    public GoBuild asStripped() {
        return new GoBuild(pkg, toolchain, true, pie, env);
    }

    public GoBuild asPie() {
        return new GoBuild(pkg, toolchain, stripped, true, env);
    }

    public GoBuild withEnv(String assignment) {
        List<String> more = new ArrayList<>(env);
        more.add(assignment);
        return new GoBuild(pkg, toolchain, stripped, pie, more);
    }

    /** A file name that says what was built, e.g. "stacks-stripped-pie". */
    String fileName() {
        StringBuilder s = new StringBuilder(pkg.replaceFirst("^std:", "").replace('/', '_'));
        if (stripped) {
            s.append("-stripped");
        }
        if (pie) {
            s.append("-pie");
        }
        for (String e : env) {
            s.append('-').append(e.replaceAll("[^A-Za-z0-9_.=]", "_"));
        }
        return s.toString();
    }
}
