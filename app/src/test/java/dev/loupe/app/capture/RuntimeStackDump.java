package dev.loupe.app.capture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code runtime.Stack(buf, true)} dump: per goroutine, the state in brackets and the frames as
 * "function file:line", with the runtime's elision of deep stacks ("...N frames elided...") kept as a marker.
 */
record RuntimeStackDump(Map<Long, Goroutine> goroutines) {
    private static final Pattern HEADER = Pattern.compile("^goroutine (\\d+) (?:gp=\\S+ m=\\S+ (?:mp=\\S+ )?)?\\[([^\\]]*)\\]:$");
    private static final Pattern FUNC = Pattern.compile("^(\\S.*)\\((.*)\\)$");
    private static final Pattern POS = Pattern.compile("^\t(.*):(\\d+)(?: \\+0x[0-9a-f]+)?.*$");
    /** Go 1.21+ keeps the innermost and outermost frames; older versions only the innermost 100. */
    private static final Pattern ELIDED = Pattern.compile("^\\.\\.\\.(\\d+|additional) frames elided\\.\\.\\.$");

    /**
     * One goroutine: {@code state} is the bracket's first part ("chan receive", "syscall", "running"); when frames
     * were elided, {@code elidedAt} is where, and {@code outerKept} whether the outermost ones follow.
     */
    record Goroutine(long goid, String state, List<String> frames, int elidedAt, boolean outerKept) {
        /** {@code frames} of a whole stack as this dump shows them. */
        List<String> asPrinted(List<String> frames) {
            if (elidedAt < 0) {
                return frames;
            }
            List<String> out = new ArrayList<>(frames.subList(0, Math.min(elidedAt, frames.size())));
            if (outerKept) {
                int tail = this.frames.size() - elidedAt;
                out.addAll(frames.subList(Math.max(out.size(), frames.size() - tail), frames.size()));
            }
            return out;
        }
    }

    static RuntimeStackDump parse(List<String> lines) {
        Map<Long, Goroutine> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher h = HEADER.matcher(lines.get(i));
            if (!h.matches()) {
                continue;
            }
            long goid = Long.parseLong(h.group(1));
            String state = h.group(2).split(",")[0].strip();
            List<String> frames = new ArrayList<>();
            int elidedAt = -1;
            boolean outerKept = false;
            for (i++; i < lines.size() && !lines.get(i).isEmpty(); i++) {
                String l = lines.get(i);
                Matcher e = ELIDED.matcher(l);
                if (e.matches()) {
                    elidedAt = frames.size();
                    outerKept = !e.group(1).equals("additional");
                    continue;
                }
                Matcher f = FUNC.matcher(l);
                if (l.startsWith("created by ") || !f.matches() || i + 1 >= lines.size()) {
                    i++;
                    continue;
                }
                Matcher p = POS.matcher(lines.get(++i));
                if (p.matches()) {
                    frames.add(f.group(1) + " " + p.group(1) + ":" + p.group(2));
                }
            }
            out.put(goid, new Goroutine(goid, state, List.copyOf(frames), elidedAt, outerKept));
        }
        return new RuntimeStackDump(out);
    }

    /** {@code runtime.showfuncinfo} without GOTRACEBACK=system: unexported runtime functions are not printed. */
    static boolean shownByRuntime(String function) {
        if (!function.contains(".")) {
            return false;
        }
        return !function.startsWith("runtime.") || Character.isUpperCase(function.charAt("runtime.".length()));
    }
}
