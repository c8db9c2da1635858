package dev.loupe.dwarf.godwarf;

import dev.loupe.dwarf.loclist.PcRange;
import dev.loupe.dwarf.op.Location;

import java.util.List;
import java.util.Optional;

/**
 * A function with code ({@code DW_TAG_subprogram}, DWARF 5 §3.3). Its variables and inlined
 * calls are read on demand ({@link GoDwarf#variables}, {@link GoDwarf#inlinedCalls}).
 *
 * @param name        the linker's name, e.g. "main.(*T).m" or "main.parkGeneric[go.shape.int]"
 * @param packagePath the package path part of the name ("internal/sync" for "internal/sync.(*Mutex).Lock")
 * @param receiver    the receiver type for methods, e.g. "*Mutex" or "Celsius", where the name shows it
 * @param dieOffset   the DIE in {@code .debug_info}
 * @param ranges      its code; one range for Go functions
 * @param declFile    the file of its declaration, "" when unknown
 * @param declLine    the line of its declaration, 0 when unknown
 * @param frameBase   its frame base ({@code DW_AT_frame_base}), against which {@code DW_OP_fbreg} is resolved
 */
public record Function(String name, String packagePath, Optional<String> receiver, long dieOffset, List<PcRange> ranges,
                       String declFile, int declLine, Location frameBase) {
    /** The entry pc (start of the first range). */
    public long entry() {
        return ranges.isEmpty() ? 0 : ranges.getFirst().low();
    }

    /** The end of the last range. */
    public long end() {
        return ranges.isEmpty() ? 0 : ranges.getLast().high();
    }

    /** True when {@code pc} is in its code. */
    public boolean contains(long pc) {
        return ranges.stream().anyMatch(r -> r.contains(pc));
    }

    /**
     * The package path of a Go symbol name: up to the first '.' after the last '/' (generic
     * type arguments, which may hold paths of their own, are skipped).
     */
    public static String packagePathOf(String name) {
        int bracket = name.indexOf('[');
        String head = bracket < 0 ? name : name.substring(0, bracket);
        int slash = head.lastIndexOf('/');
        int dot = head.indexOf('.', slash + 1);
        return dot < 0 ? "" : name.substring(0, dot);
    }
}
