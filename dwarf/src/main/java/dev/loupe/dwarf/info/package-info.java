/**
 * The debugging information entries of {@code .debug_info} and their helper sections
 * ({@code .debug_abbrev}, {@code .debug_str}, {@code .debug_line_str}, {@code .debug_str_offsets},
 * {@code .debug_addr}), DWARF 2 to 5: <a href="https://dwarfstd.org/doc/DWARF5.pdf">DWARF 5</a>
 * chapters 2 and 7, with Go's attributes from {@code cmd/internal/dwarf/dwarf.go}.
 */
package dev.loupe.dwarf.info;
