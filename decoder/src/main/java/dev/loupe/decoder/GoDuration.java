package dev.loupe.decoder;

/** {@code time.Duration.String} ({@code time/time.go}): "1h30m1.5s", "1.5µs", "0s". */
final class GoDuration {
    private GoDuration() {}

    static String format(long ns) {
        if (ns == 0) {
            return "0s";
        }
        boolean negative = ns < 0;
        // Long.MIN_VALUE has no positive counterpart: work with its unsigned magnitude.
        String magnitude = Long.toUnsignedString(negative ? -ns : ns);
        java.math.BigInteger u = new java.math.BigInteger(magnitude);
        StringBuilder out = new StringBuilder();
        if (u.compareTo(java.math.BigInteger.valueOf(1_000_000_000L)) < 0) {
            long v = u.longValue();
            if (v < 1_000) {
                out.append(v).append("ns");
            } else if (v < 1_000_000) {
                out.append(fraction(v, 3)).append("µs");
            } else {
                out.append(fraction(v, 6)).append("ms");
            }
        } else {
            java.math.BigInteger[] sec = u.divideAndRemainder(java.math.BigInteger.valueOf(1_000_000_000L));
            long totalSeconds = sec[0].longValue();
            long frac = sec[1].longValue();
            long hours = totalSeconds / 3600;
            long minutes = totalSeconds / 60 % 60;
            long seconds = totalSeconds % 60;
            if (hours > 0) {
                out.append(hours).append('h');
            }
            if (hours > 0 || minutes > 0) {
                out.append(minutes).append('m');
            }
            out.append(fraction(seconds * 1_000_000_000L + frac, 9)).append('s');
        }
        return negative ? "-" + out : out.toString();
    }

    /** {@code v / 10^digits} with the fraction's trailing zeros dropped. */
    private static String fraction(long v, int digits) {
        long scale = (long) Math.pow(10, digits);
        long whole = v / scale;
        long rest = v % scale;
        if (rest == 0) {
            return Long.toString(whole);
        }
        String f = String.format("%0" + digits + "d", rest).replaceFirst("0+$", "");
        return whole + "." + f;
    }
}
