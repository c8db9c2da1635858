package dev.loupe.probegen.spec;

import dev.loupe.dwarf.godwarf.GoType;

/**
 * One step of an access path ({@link ResolvedCapture#path()}): what to do to the current value to get the next.
 * The path starts at the root variable's value. Types are the {@code dwarf} module's, as declared: a named type
 * such as {@code time.Duration} stays the typedef it is ({@code Types.underlying} gives its shape), and a
 * generic's dictionary typedef keeps its {@code dictIndex}.
 */
public sealed interface Step {
    /** Follow the pointer that is the current value; the value becomes the {@code pointee} it points to. */
    record Deref(GoType pointee) implements Step {}

    /** The field {@code name}, {@code offset} bytes into the current value, a struct. */
    record FieldAt(String name, long offset, GoType type) implements Step {}

    /**
     * Element {@code index} of the current value: in place for an array, behind the data pointer for a slice or a
     * string (a byte). Only an array's bound is known here: a slice's or a string's is checked when reading.
     */
    record Index(long index, GoType element, Kind through) implements Step {
        /** What is indexed. */
        public enum Kind { ARRAY, SLICE, STRING }
    }

    /** {@code len} of the current value (an array's is its type's count), an {@code int}. */
    record Len(Kind of) implements Step {
        /** What has a length. */
        public enum Kind { STRING, SLICE, ARRAY, MAP, CHAN }
    }

    /** {@code cap} of the current value (an array's is its type's count), an {@code int}. */
    record Cap(Kind of) implements Step {
        /** What has a capacity. */
        public enum Kind { SLICE, ARRAY, CHAN }
    }
}
