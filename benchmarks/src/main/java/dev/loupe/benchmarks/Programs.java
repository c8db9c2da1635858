package dev.loupe.benchmarks;

import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoTargets;
import dev.loupe.testkit.GoToolchains;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The real programs the benchmarks measure, by the names their {@code @Param}s use. */
final class Programs {
    private Programs() {}

    /**
     * "go": the {@code go} command built with DWARF (~20 MB); "etcd": Debian's etcd, the largest real
     * program here (Go 1.19, stripped, ~21 MB; ./run-tests installs it); "stacks": a small target.
     */
    static Path path(String name) {
        return switch (name) {
            case "go" -> GoTargets.build(new GoBuild("std:cmd/go", GoToolchains.LOCAL, false, false, List.of()));
            case "etcd" -> {
                Path etcd = Path.of(System.getenv().getOrDefault("LOUPE_ETCD", "/usr/bin/etcd"));
                if (!Files.isRegularFile(etcd)) {
                    throw new IllegalStateException("no etcd at " + etcd + ": apt-get install etcd-server, or set LOUPE_ETCD");
                }
                yield etcd;
            }
            default -> GoTargets.build(name);
        };
    }
}
