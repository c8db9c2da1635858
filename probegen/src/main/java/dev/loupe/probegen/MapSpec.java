package dev.loupe.probegen;

import java.util.List;

/**
 * A BPF map a generated program needs. The agent creates it before loading the program and binds it to the
 * program's references by {@link #name}.
 *
 * @param name       the name the program refers to it by (also the kernel object's name, for bpftool)
 * @param kind       what kind of map
 * @param keySize    bytes per key (0 for a ring buffer)
 * @param valueSize  bytes per value (0 for a ring buffer)
 * @param maxEntries entries; for a ring buffer its size in bytes, a power of two and a multiple of the page size
 * @param values     for an array map, the values the agent stores at keys 0, 1, ... before loading the program
 */
public record MapSpec(String name, Kind kind, int keySize, int valueSize, int maxEntries, List<byte[]> values) {
    public MapSpec {
        values = List.copyOf(values);
        if (!values.isEmpty() && (kind != Kind.ARRAY || values.size() > maxEntries)) {
            throw new IllegalArgumentException("map " + name + ": initial values are for array maps, at most one per entry");
        }
    }

    /** A map without initial values. */
    public MapSpec(String name, Kind kind, int keySize, int valueSize, int maxEntries) {
        this(name, kind, keySize, valueSize, maxEntries, List.of());
    }

    /** The map kinds generated programs use, in {@code enum bpf_map_type}'s words. */
    public enum Kind {
        /** {@code BPF_MAP_TYPE_HASH}. */
        HASH,
        /** {@code BPF_MAP_TYPE_ARRAY}. */
        ARRAY,
        /** {@code BPF_MAP_TYPE_RINGBUF}. */
        RINGBUF
    }
}
