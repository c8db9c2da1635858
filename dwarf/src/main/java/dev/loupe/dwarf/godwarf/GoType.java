package dev.loupe.dwarf.godwarf;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A type described by DWARF, shaped the way Go describes its types
 * ({@code cmd/link/internal/ld/dwarf.go}, {@code defgotype}): Go's kind attribute
 * ({@code DW_AT_go_kind}) decides between slice, string, map, chan and interface, and C types of
 * cgo units map onto the nearest shape. Every type knows its DIE offset, its name as DWARF
 * spells it ({@code main.Pair[int,string]}, {@code map[string]int}) and its size in bytes
 * (-1 when DWARF does not say).
 */
public sealed interface GoType {
    long offset();

    String name();

    long size();

    /** A reference to this type. */
    default TypeRef ref() {
        return new TypeRef(offset());
    }

    /**
     * A scalar ({@code DW_TAG_base_type}), or a C enumeration.
     *
     * @param encoding {@code DW_ATE_*} (DWARF 5 §5.1, table 5.2)
     * @param goKind   {@code reflect.Kind}, 0 when absent
     */
    record Basic(long offset, String name, long size, int encoding, int goKind) implements GoType {}

    /** A pointer; {@code elem} is empty for {@code unsafe.Pointer} and {@code void *}. */
    record Pointer(long offset, String name, long size, Optional<TypeRef> elem) implements GoType {}

    /** A struct (or a C union, whose fields all sit at offset 0). */
    record Struct(long offset, String name, long size, List<Field> fields) implements GoType {
        public Optional<Field> field(String fieldName) {
            return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
        }
    }

    /** A slice: a header struct ({@code array}, {@code len}, {@code cap}) with element type {@code elem}. */
    record Slice(long offset, String name, long size, TypeRef elem, List<Field> fields) implements GoType {}

    /** A string: a header struct ({@code str}, {@code len}). */
    record StringType(long offset, String name, long size, List<Field> fields) implements GoType {}

    /** An array of {@code count} elements ({@code -1} when unknown). */
    record Array(long offset, String name, long size, TypeRef elem, long count) implements GoType {}

    /**
     * A map: a pointer to the runtime's map ({@code implementation}: {@code *runtime.hmap}
     * before Go 1.24, {@code *internal/runtime/maps.Map} after).
     */
    record MapType(long offset, String name, long size, TypeRef key, TypeRef elem, TypeRef implementation) implements GoType {}

    /** A channel: a pointer to {@code runtime.hchan} ({@code implementation}). */
    record Chan(long offset, String name, long size, TypeRef elem, TypeRef implementation) implements GoType {}

    /**
     * An interface: {@code runtime.iface} or, for an interface without methods,
     * {@code runtime.eface} ({@code implementation}).
     */
    record Interface(long offset, String name, long size, TypeRef implementation) implements GoType {}

    /** A function value (a pointer to a closure), with its parameter types where DWARF lists them. */
    record Func(long offset, String name, long size, List<TypeRef> parameters) implements GoType {}

    /**
     * A typedef: a named type whose DIE only names another, or a C qualifier
     * ({@code const}, {@code volatile}). {@code dictIndex} is set on the shape types of generic
     * functions ({@code DW_AT_go_dict_index}): the dictionary entry holding the real type.
     */
    record Typedef(long offset, String name, long size, TypeRef target, OptionalInt dictIndex) implements GoType {}

    /** A type this reader cannot model (an unknown tag, a broken DIE), with the reason. */
    record Unsupported(long offset, String name, long size, String problem) implements GoType {}
}
