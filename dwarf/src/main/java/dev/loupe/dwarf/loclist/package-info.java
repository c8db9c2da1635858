/**
 * Location lists ({@code .debug_loc}, {@code .debug_loclists}) and range lists
 * ({@code .debug_ranges}, {@code .debug_rnglists}): <a href="https://dwarfstd.org/doc/DWARF5.pdf">DWARF 5</a>
 * §2.6.2, §2.17.3, §7.28 and §7.29.
 */
package dev.loupe.dwarf.loclist;
