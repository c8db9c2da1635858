/**
 * The Go runtime's data layout ({@code runtime.g}, {@code m}, maps, channels, interfaces…) read
 * from DWARF, with per-version tables for stripped binaries; field meanings are those of
 * <a href="https://github.com/golang/go/blob/master/src/runtime/runtime2.go">runtime/runtime2.go</a>.
 */
package dev.loupe.dwarf.runtime;
