package dev.loupe.app.ui;

import dev.loupe.app.store.SnapshotFile.StackGroup;
import dev.loupe.decoder.Frame;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The filters the goroutine views share: a function or package text (any frame), a state, runtime goroutines
 * hidden, only goroutines with captured data. Applied to stack groups, it keeps the goroutines that pass, each group
 * recounted.
 *
 * @param text         case-blind, in some frame's function; empty for any
 * @param state        the state (wait reason, or status) to keep; null for every state
 * @param hideRuntime  leave out the runtime's own goroutines (their outermost frame is the runtime's, not runtime.main)
 * @param onlyWithData keep only goroutines with a row in some function table
 */
record GoroutineFilter(String text, String state, boolean hideRuntime, boolean onlyWithData) {
    static final GoroutineFilter NONE = new GoroutineFilter("", null, false, false);

    /**
     * The groups' goroutines that pass, largest group first. A group that lost some of its goroutines has no longest
     * wait (the file keeps it per group): unknown rather than another goroutine's.
     *
     * @param withData the goroutines with captured data, as {process_id, goid}
     */
    List<StackGroup> apply(List<StackGroup> groups, Set<List<Long>> withData) {
        String needle = text.toLowerCase(Locale.ROOT);
        // Stacks share their functions: each is matched once.
        Map<String, Boolean> matched = new HashMap<>();
        Function<String, Boolean> match = function -> function.toLowerCase(Locale.ROOT).contains(needle);
        List<StackGroup> out = new ArrayList<>();
        for (StackGroup g : groups) {
            if (!needle.isEmpty() && g.frames().stream().noneMatch(f -> matched.computeIfAbsent(f.function(), match))
                    || hideRuntime && isRuntimeGoroutine(g.frames())) {
                continue;
            }
            if (state == null && !onlyWithData) {
                out.add(g);
                continue;
            }
            List<Long> goids = new ArrayList<>();
            List<String> states = new ArrayList<>();
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (int i = 0; i < g.goids().size(); i++) {
                String s = g.goidStates().get(i);
                if ((state == null || state.equals(s)) && (!onlyWithData || withData.contains(List.of(g.processId(), g.goids().get(i))))) {
                    goids.add(g.goids().get(i));
                    states.add(s);
                    counts.merge(s, 1, Integer::sum);
                }
            }
            if (goids.isEmpty()) {
                continue;
            }
            out.add(goids.size() == g.count() ? g : new StackGroup(g.processId(), g.pid(), g.exePath(), g.stackId(), goids.size(),
                    counts, null, g.truncated(), goids, g.frames(), states));
        }
        out.sort((a, b) -> a.count() != b.count() ? Integer.compare(b.count(), a.count())
                : Long.compare(a.goids().getFirst(), b.goids().getFirst()));
        return out;
    }

    /** Go's isSystemGoroutine, from the stack: the outermost frame is the runtime's, and not runtime.main. */
    static boolean isRuntimeGoroutine(List<Frame> frames) {
        if (frames.isEmpty()) {
            return false;
        }
        String outermost = frames.getLast().function();
        return FlameTree.kind(outermost) == FlameTree.Kind.RUNTIME && !outermost.equals("runtime.main");
    }
}
