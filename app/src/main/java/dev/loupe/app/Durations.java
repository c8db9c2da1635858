package dev.loupe.app;

import java.util.Locale;

/** Durations as people read them in a terminal: "850 µs", "2.9 ms", "1.24 s". */
public final class Durations {
    private Durations() {}

    public static String format(long nanos) {
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%d µs", nanos / 1_000);
        }
        if (nanos < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
