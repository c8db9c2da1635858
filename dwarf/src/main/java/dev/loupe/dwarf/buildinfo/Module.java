package dev.loupe.dwarf.buildinfo;

import java.util.Optional;

/**
 * A module the binary was built from ({@code runtime/debug.Module}).
 *
 * @param path    the module path, e.g. "golang.org/x/sys"
 * @param version its version, e.g. "v0.30.0", or "(devel)" for the main module
 * @param sum     its go.sum checksum, "" when unknown
 * @param replace the module that replaced it ({@code =>} line), or null
 */
public record Module(String path, String version, String sum, Module replace) {
    public Optional<Module> replacement() {
        return Optional.ofNullable(replace);
    }

    Module withReplace(Module r) {
        return new Module(path, version, sum, r);
    }
}
