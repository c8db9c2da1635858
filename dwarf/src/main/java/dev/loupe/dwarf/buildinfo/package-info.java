/**
 * The build information the Go linker stores in {@code .go.buildinfo}: Go version, main
 * package path, modules and build settings, as {@code go version -m} prints them (format:
 * {@code debug/buildinfo/buildinfo.go} and {@code runtime/debug/mod.go}, see
 * <a href="https://pkg.go.dev/debug/buildinfo">pkg.go.dev/debug/buildinfo</a>).
 */
package dev.loupe.dwarf.buildinfo;
