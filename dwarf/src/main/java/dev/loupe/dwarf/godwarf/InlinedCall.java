package dev.loupe.dwarf.godwarf;

import dev.loupe.dwarf.loclist.PcRange;

import java.util.List;

/**
 * A call inlined into a function ({@code DW_TAG_inlined_subroutine}, DWARF 5 §3.3.8.2).
 *
 * @param function       the inlined function's name (from its abstract origin)
 * @param abstractOrigin the abstract function DIE
 * @param ranges         the pcs of the inlined body
 * @param callFile       the file of the call site
 * @param callLine       the line of the call site
 * @param depth          1 for calls inlined directly into the function, 2 for calls inlined into those…
 * @param variables      the inlined body's parameters and locals
 */
public record InlinedCall(String function, long abstractOrigin, List<PcRange> ranges, String callFile, int callLine, int depth,
                          List<Variable> variables) {}
