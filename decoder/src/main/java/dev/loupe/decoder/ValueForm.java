package dev.loupe.decoder;

import java.util.Locale;

/**
 * Which JSON a snapshot's captured values are written in, chosen per snapshot (docs/snapshot-format.md, "Captured
 * values as JSON" and "The raw form").
 */
public enum ValueForm {
    /** The values alone: a pointer is the value it points to. */
    CLEAN,
    /**
     * The values with their addresses: what is reached through a pointer (a pointer's target, a string's bytes, a
     * slice's array, a map's or channel's header, a func's closure, an interface's boxed value) is
     * {@code {"$addr": "0x...", "value": ...}}, and an interface also gives its type word.
     */
    RAW;

    /** The name the snapshot file records ({@code snapshot.value_form}): {@code clean} or {@code raw}. */
    public String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
