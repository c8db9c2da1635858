package dev.loupe.dwarf.buildinfo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Go string literals as {@code strconv.Unquote} reads them (interpreted "..." with the Go
 * escapes, and raw `...`), for quoted keys and values of build settings.
 */
final class GoQuote {
    private GoQuote() {}

    /** The length of the quoted literal at the start of {@code s} ({@code strconv.QuotedPrefix}), or -1. */
    static int prefixLength(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        char q = s.charAt(0);
        if (q == '`') {
            int end = s.indexOf('`', 1);
            return end < 0 ? -1 : end + 1;
        }
        if (q != '"') {
            return -1;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i + 1;
            } else if (c == '\n') {
                return -1;
            }
        }
        return -1;
    }

    /** The value of the literal {@code s}; throws IllegalArgumentException if it is not one. */
    static String unquote(String s) {
        if (s.length() < 2 || s.charAt(s.length() - 1) != s.charAt(0)) {
            throw new IllegalArgumentException("not a quoted string: " + s);
        }
        String body = s.substring(1, s.length() - 1);
        if (s.charAt(0) == '`') {
            if (body.indexOf('`') >= 0) {
                throw new IllegalArgumentException("backquote inside raw string");
            }
            return body.replace("\r", "");
        }
        if (s.charAt(0) != '"') {
            throw new IllegalArgumentException("not a quoted string: " + s);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length());
        for (int i = 0; i < body.length(); ) {
            char c = body.charAt(i);
            if (c == '"' || c == '\n') {
                throw new IllegalArgumentException("unescaped " + (c == '"' ? "quote" : "newline") + " in string");
            }
            if (c != '\\') {
                int cp = body.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
                continue;
            }
            if (i + 1 >= body.length()) {
                throw new IllegalArgumentException("trailing backslash");
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> out.write(7);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(11);
                case '\\', '"' -> out.write(e);
                case 'x' -> {
                    out.write(hex(body, i, 2));
                    i += 2;
                }
                case 'u', 'U' -> {
                    int n = e == 'u' ? 4 : 8;
                    int cp = hex(body, i, n);
                    if (!Character.isValidCodePoint(cp) || (cp >= 0xd800 && cp < 0xe000)) {
                        throw new IllegalArgumentException("invalid code point in escape");
                    }
                    out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                    i += n;
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    if (i + 2 > body.length()) {
                        throw new IllegalArgumentException("short octal escape");
                    }
                    int v = Integer.parseInt(body.substring(i - 1, i + 2), 8);
                    if (v > 255) {
                        throw new IllegalArgumentException("octal escape above 255");
                    }
                    out.write(v);
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + e);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(String s, int from, int digits) {
        if (from + digits > s.length()) {
            throw new IllegalArgumentException("short hex escape");
        }
        long v = 0;
        for (int i = from; i < from + digits; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) {
                throw new IllegalArgumentException("bad hex digit in escape");
            }
            v = v << 4 | d;
        }
        return (int) Math.min(v, Integer.MAX_VALUE);
    }
}
