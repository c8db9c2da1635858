package dev.loupe.decoder;

/** {@code time.Duration.String} ({@code time/time.go}): "1h30m1.5s", "1.5µs", "0s". */
final class GoDuration {
    private static final long SECOND = 1_000_000_000L;

    private GoDuration() {}

    static String format(long ns) {
        if (ns == 0) {
            return "0s";
        }
        // The magnitude as an unsigned number: Long.MIN_VALUE has no positive counterpart.
        long u = ns < 0 ? -ns : ns;
        String out;
        if (Long.compareUnsigned(u, SECOND) < 0) {
            out = u < 1_000 ? u + "ns" : u < 1_000_000 ? fraction(u, 3) + "µs" : fraction(u, 6) + "ms";
        } else {
            long seconds = Long.divideUnsigned(u, SECOND);
            long hours = seconds / 3600;
            long minutes = seconds / 60 % 60;
            StringBuilder b = new StringBuilder();
            if (hours > 0) {
                b.append(hours).append('h');
            }
            if (hours > 0 || minutes > 0) {
                b.append(minutes).append('m');
            }
            out = b.append(fraction(seconds % 60 * SECOND + Long.remainderUnsigned(u, SECOND), 9)).append('s').toString();
        }
        return ns < 0 ? "-" + out : out;
    }

    /** {@code v / 10^digits} with the fraction's trailing zeros dropped. */
    private static String fraction(long v, int digits) {
        long scale = (long) Math.pow(10, digits);
        long rest = v % scale;
        if (rest == 0) {
            return Long.toString(v / scale);
        }
        return v / scale + "." + String.format("%0" + digits + "d", rest).replaceFirst("0+$", "");
    }
}
