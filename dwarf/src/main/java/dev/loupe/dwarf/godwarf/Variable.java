package dev.loupe.dwarf.godwarf;

import dev.loupe.dwarf.loclist.LocationEntry;
import dev.loupe.dwarf.loclist.PcRange;

import java.util.List;
import java.util.Optional;

/**
 * A parameter, result or local of a function or inlined call ({@code DW_TAG_formal_parameter},
 * {@code DW_TAG_variable}; DWARF 5 §4.1).
 *
 * @param name      its name ("~r0" for unnamed results, ".dict" for a generic's dictionary)
 * @param kind      parameter, result ({@code DW_AT_variable_parameter}, Go's marker for results) or local
 * @param type      its type
 * @param typeName  the name of its type, as DWARF spells it; for a variable of a generic function whose type is
 *                  a dictionary entry ({@code DW_AT_go_dict_index}), the shape type's name
 *                  ({@code main.Box[go.shape.int]})
 * @param declLine  its declaration line, 0 when unknown
 * @param locations where it lives, per pc range; empty when the compiler gave it no location
 * @param scope     the pcs of the lexical block that declares it; empty for the whole function
 * @param dieOffset its DIE
 * @param problem   why it could not be read fully (a broken DIE, a missing type); empty when fine
 */
public record Variable(String name, Kind kind, TypeRef type, String typeName, int declLine, List<LocationEntry> locations,
                       List<PcRange> scope, long dieOffset, Optional<String> problem) {
    /** What kind of variable. */
    public enum Kind { PARAMETER, RESULT, LOCAL }
}
