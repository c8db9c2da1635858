package dev.loupe.probegen.spec;

/**
 * How much a snapshot reads, so that a big or cyclic value cannot stall the target: what is cut off is recorded
 * as truncated, never dropped silently.
 *
 * @param stringBytes   bytes read of one string
 * @param sliceBytes    bytes read of one slice's (or array's) elements
 * @param mapBytes      bytes read of one map's entries
 * @param pointerDepth  pointers followed from a captured value (0: none)
 * @param snapshotBytes bytes read in all, per process
 */
public record Limits(int stringBytes, int sliceBytes, int mapBytes, int pointerDepth, long snapshotBytes) {
    /** The largest value of any byte limit: 1 GiB. */
    public static final long MAX_BYTES = 1L << 30;
    /** The deepest pointer chase allowed. */
    public static final int MAX_POINTER_DEPTH = 16;
    /** The limits of a spec that gives none. */
    public static final Limits DEFAULT = new Limits(512, 512, 2048, 4, 16L << 20);

    /** @throws IllegalArgumentException for a byte limit outside 1..{@link #MAX_BYTES} or a depth outside 0..16 */
    public Limits {
        bytes("string_bytes", stringBytes);
        bytes("slice_bytes", sliceBytes);
        bytes("map_bytes", mapBytes);
        bytes("snapshot_bytes", snapshotBytes);
        if (pointerDepth < 0 || pointerDepth > MAX_POINTER_DEPTH) {
            throw new IllegalArgumentException("pointer_depth " + pointerDepth + " is not in 0.." + MAX_POINTER_DEPTH);
        }
    }

    private static void bytes(String key, long value) {
        if (value < 1 || value > MAX_BYTES) {
            throw new IllegalArgumentException(key + " " + value + " is not in 1.." + MAX_BYTES);
        }
    }
}
