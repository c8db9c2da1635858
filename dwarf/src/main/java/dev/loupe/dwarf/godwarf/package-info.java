/**
 * The DWARF of a Go binary as Go writes it: functions, variables, inlined calls and types
 * (shapes decided by {@code DW_AT_go_kind}; see {@code cmd/link/internal/ld/dwarf.go} and
 * <a href="https://pkg.go.dev/cmd/internal/dwarf">cmd/internal/dwarf</a>); start at
 * {@link dev.loupe.dwarf.godwarf.GoDwarf}.
 */
package dev.loupe.dwarf.godwarf;
