package dev.loupe.probegen.spec;

import dev.loupe.dwarf.godwarf.Function;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** "Did you mean" for misspelt names: the closest candidates by edit distance, ignoring case. */
public final class Suggestions {
    /** At most this many names are suggested. */
    static final int MAX = 3;

    private Suggestions() {}

    private record Scored(String name, int score, boolean samePackage, int full) {}

    /** Up to {@link #MAX} of {@code candidates} within a typo's distance of {@code wanted}, closest first. */
    public static List<String> closest(String wanted, Collection<String> candidates) {
        String w = wanted.toLowerCase(Locale.ROOT);
        int limit = limit(wanted);
        List<Scored> found = new ArrayList<>();
        for (String c : candidates) {
            int d = distance(w, c.toLowerCase(Locale.ROOT), limit);
            if (d <= limit) {
                found.add(new Scored(c, d, true, d));
            }
        }
        return best(found);
    }

    /**
     * Up to {@link #MAX} function names close to {@code wanted}. Besides the whole names, compares them without
     * what sits between the package and the last element (a receiver, an enclosing function), and without type
     * arguments at a cost of 1: {@code main.hanlde} finds {@code main.(*Server).handle}, {@code main.parkGeneric}
     * finds {@code main.parkGeneric[go.shape.int]}. Among equals, names in the same package come first, then those
     * closer as a whole.
     */
    public static List<String> closestFunctions(String wanted, Collection<String> names) {
        String w = wanted.toLowerCase(Locale.ROOT);
        String wShort = shortName(w);
        String wBase = base(w);
        String wPackage = Function.packagePathOf(wanted);
        // The package path is no part of a typo: it would only make the limit generous.
        int limit = limit(wPackage.isEmpty() ? wanted : wanted.substring(Math.min(wanted.length(), wPackage.length() + 1)));
        List<Scored> found = new ArrayList<>();
        for (String name : names) {
            String c = name.toLowerCase(Locale.ROOT);
            int full = distance(w, c, limit);
            int score = Math.min(full, Math.min(distance(wShort, shortName(c), limit), distance(wBase, base(c), limit) + 1));
            if (score <= limit) {
                found.add(new Scored(name, score, Function.packagePathOf(name).equals(wPackage), full));
            }
        }
        return best(found);
    }

    /** {@code "; did you mean a, b?"}, or "" when there is nothing to suggest. */
    public static String didYouMean(List<String> names) {
        return names.isEmpty() ? "" : "; did you mean " + String.join(", ", names) + "?";
    }

    private static List<String> best(List<Scored> found) {
        return found.stream()
                .sorted(Comparator.comparingInt(Scored::score).thenComparing(s -> !s.samePackage())
                        .thenComparingInt(Scored::full).thenComparing(Scored::name))
                .limit(MAX)
                .map(Scored::name)
                .toList();
    }

    /** How many edits still look like a typo rather than another name. */
    private static int limit(String wanted) {
        return Math.max(2, wanted.length() / 3);
    }

    /** The package and the last element: {@code main.(*T).m} is {@code main.m}. */
    private static String shortName(String name) {
        String pkg = Function.packagePathOf(name);
        String head = base(name);
        int dot = head.lastIndexOf('.');
        return pkg.isEmpty() || dot <= pkg.length() ? name : pkg + name.substring(dot);
    }

    /** The name without type arguments: {@code main.f[go.shape.int]} is {@code main.f}. */
    private static String base(String name) {
        int bracket = name.indexOf('[');
        return bracket < 0 ? name : name.substring(0, bracket);
    }

    /** Levenshtein distance, or {@code limit + 1} as soon as it must exceed {@code limit}. */
    static int distance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) > limit) {
            return limit + 1;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin > limit) {
                return limit + 1;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return Math.min(prev[b.length()], limit + 1);
    }
}
