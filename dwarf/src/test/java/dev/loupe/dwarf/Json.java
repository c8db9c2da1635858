package dev.loupe.dwarf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader for the targets' oracle files (objects as {@link LinkedHashMap}, arrays
 * as {@link List}, numbers as {@link Long}, {@link java.math.BigInteger} beyond a long, or
 * {@link Double}), so the dwarf tests need no JSON
 * library.
 */
public final class Json {
    private final String s;
    private int p;

    private Json(String s) {
        this.s = s;
    }

    /** Parses {@code text}; throws IllegalArgumentException on malformed input. */
    public static Object parse(String text) {
        Json j = new Json(text);
        Object v = j.value();
        j.ws();
        if (j.p != text.length()) {
            throw new IllegalArgumentException("trailing data at " + j.p);
        }
        return v;
    }

    private void ws() {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
    }

    private Object value() {
        ws();
        char c = s.charAt(p);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, p)) {
            throw new IllegalArgumentException("bad literal at " + p);
        }
        p += word.length();
        return v;
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        p++;
        ws();
        if (s.charAt(p) == '}') {
            p++;
            return m;
        }
        while (true) {
            ws();
            String k = string();
            ws();
            expect(':');
            m.put(k, value());
            ws();
            if (s.charAt(p) == ',') {
                p++;
            } else {
                expect('}');
                return m;
            }
        }
    }

    private List<Object> array() {
        List<Object> l = new ArrayList<>();
        p++;
        ws();
        if (s.charAt(p) == ']') {
            p++;
            return l;
        }
        while (true) {
            l.add(value());
            ws();
            if (s.charAt(p) == ',') {
                p++;
            } else {
                expect(']');
                return l;
            }
        }
    }

    private void expect(char c) {
        if (s.charAt(p) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + p);
        }
        p++;
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = s.charAt(p++);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                char e = s.charAt(p++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                        p += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
            }
        }
    }

    private Object number() {
        int start = p;
        while (p < s.length() && "+-0123456789.eE".indexOf(s.charAt(p)) >= 0) {
            p++;
        }
        String n = s.substring(start, p);
        if (n.isEmpty()) {
            throw new IllegalArgumentException("unexpected character at " + start);
        }
        if (n.contains(".") || n.contains("e") || n.contains("E")) {
            return Double.parseDouble(n);
        }
        java.math.BigInteger big = new java.math.BigInteger(n);
        return big.bitLength() < 64 ? (Object) big.longValueExact() : big;
    }
}
