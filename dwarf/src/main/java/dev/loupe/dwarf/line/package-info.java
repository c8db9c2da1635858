/**
 * The line-number program of {@code .debug_line}, versions 2 to 5
 * (<a href="https://dwarfstd.org/doc/DWARF5.pdf">DWARF 5</a> §6.2).
 */
package dev.loupe.dwarf.line;
