package dev.loupe.probegen.ir;

import java.util.List;

/**
 * How the program reads a value of some type and follows the pointers in it: its size, and where in it the
 * pointers are and what each leads to. A chunk read with this type may hold several values of it back to back
 * (a slice's elements); each is scanned.
 *
 * @param name  for listings and errors (a Go type name, or a path step such as {@code *req.URL})
 * @param size  bytes of one value
 * @param slots the pointers in a value, at most {@link #MAX_SLOTS}
 */
public record ReadType(String name, int size, List<Slot> slots) {
    /** The most slots per type the program scans; more are dropped by the generator (and show as not captured). */
    public static final int MAX_SLOTS = 16;
    /** Type id 0: plain bytes (a string's, or a value whose pointers are not followed). */
    public static final ReadType BYTES = new ReadType("bytes", 1, List.of());

    public ReadType {
        slots = List.copyOf(slots);
    }

    /** What a pointer-holding word of a value leads to. */
    public enum SlotKind {
        /** A pointer: read {@code size} bytes of {@code target} there. */
        POINTER,
        /** A string header (data, len): read up to the string limit of bytes. */
        STRING,
        /** A slice header (array, len, cap): read up to the slice limit of {@code target} elements. */
        SLICE,
        /** An empty interface (type, data): read the dynamic value's bytes, its size from the runtime type. */
        EFACE,
        /** A non-empty interface (itab, data): read the itab's header, then the value as for {@link #EFACE}. */
        IFACE,
        /**
         * A swiss map's {@code dirPtr} ({@code internal/runtime/maps.Map}), its second word {@code dirLen}: when that
         * is 0 (a map of at most 8 entries), read the one group it points to as {@code target}.
         */
        SWISS_SMALL,
        /** The same words: when {@code dirLen} is not 0, read its {@code dirLen} table pointers as {@code target}. */
        SWISS_DIRECTORY,
        /**
         * A table's {@code groups.data}, its second word {@code groups.lengthMask}: read lengthMask + 1 groups of
         * {@code target}, up to the map limit.
         */
        SWISS_GROUPS,
        /**
         * A bucket map's {@code buckets} ({@code runtime.hmap}, before Go 1.24), its second word the one holding
         * {@code B} in its low byte: read 2^B buckets of {@code target}, up to the map limit.
         */
        HMAP_BUCKETS,
        /**
         * A bucket map's {@code oldbuckets}, its second word the one holding {@code flags} in its low byte and
         * {@code B} in the next: while the map grows, read its 2^(B-1) old buckets (2^B for a same-size grow) of
         * {@code target}, up to the map limit.
         */
        HMAP_OLDBUCKETS
    }

    /**
     * One pointer-holding word.
     *
     * @param offset     its offset in the value
     * @param kind       what it is
     * @param target     the type id read where it points (for strings and interfaces, {@link #BYTES}: 0)
     * @param countDepth whether following it counts toward the pointer depth (false on an expression's path)
     * @param second     where the word that goes with it is (a string's or slice's length, an interface's data),
     *                   from it: 8 but for a channel's buffer, whose length is the channel's capacity elsewhere in
     *                   its header
     */
    public record Slot(int offset, SlotKind kind, int target, boolean countDepth, int second) {
        /** A slot whose second word, if any, follows it. */
        public Slot(int offset, SlotKind kind, int target, boolean countDepth) {
            this(offset, kind, target, countDepth, 8);
        }
    }
}
