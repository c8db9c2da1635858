/**
 * DWARF expressions evaluated to a {@link dev.loupe.dwarf.op.Location} — register, CFA offset,
 * pieces — without target memory (<a href="https://dwarfstd.org/doc/DWARF5.pdf">DWARF 5</a> §2.5, §2.6).
 */
package dev.loupe.dwarf.op;
