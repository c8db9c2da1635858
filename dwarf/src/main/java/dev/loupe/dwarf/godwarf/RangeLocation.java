package dev.loupe.dwarf.godwarf;

import dev.loupe.dwarf.loclist.PcRange;
import dev.loupe.dwarf.op.Location;

/**
 * Where a variable is while the pc is in {@code range}: one evaluated location list entry.
 *
 * @param range    the pcs (all pcs, {@code [0, 2^64)}, for a single location expression)
 * @param location the evaluated location
 */
public record RangeLocation(PcRange range, Location location) {}
