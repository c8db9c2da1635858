package dev.loupe.dwarf.buildinfo;

import java.util.List;
import java.util.Optional;

/**
 * What {@code go version -m} shows about a binary ({@code runtime/debug.BuildInfo}).
 *
 * @param goVersion the toolchain, e.g. "go1.26.8"
 * @param path      the main package's import path, e.g. "cmd/go"; "" if not recorded
 * @param main      the main module, or null (binaries built outside module mode)
 * @param deps      the modules the binary depends on, in the linker's order
 * @param settings  the build settings, in the linker's order
 */
public record BuildInfo(String goVersion, String path, Module main, List<Module> deps, List<BuildSetting> settings) {
    public BuildInfo {
        deps = List.copyOf(deps);
        settings = List.copyOf(settings);
    }

    public Optional<Module> mainModule() {
        return Optional.ofNullable(main);
    }

    /** The value of the build setting {@code key} (e.g. "GOARCH", "-buildmode", "CGO_ENABLED"). */
    public Optional<String> setting(String key) {
        return settings.stream().filter(s -> s.key().equals(key)).map(BuildSetting::value).findFirst();
    }
}
