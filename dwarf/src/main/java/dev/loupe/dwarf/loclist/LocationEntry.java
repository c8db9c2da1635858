package dev.loupe.dwarf.loclist;

/**
 * One entry of a location list: where a variable lives while the pc is in {@code range}
 * (DWARF 5 §2.6.2). A single location description ({@code DW_FORM_exprloc}) becomes one entry
 * covering every pc.
 *
 * @param range      the pcs the entry covers
 * @param expression the DWARF expression (DWARF 5 §2.5), evaluated by {@code dev.loupe.dwarf.op}
 */
public record LocationEntry(PcRange range, byte[] expression) {}
