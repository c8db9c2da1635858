package dev.loupe.dwarf.pclntab;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks a Go traceback — {@code runtime.Stack} output or a SIGQUIT/crash dump — against the
 * pclntab. The runtime ({@code traceback2} in runtime/traceback.go) prints each real frame as
 * its inlined frames ("name(...)" and file:line), then the real function with "+0xOFF" (the
 * return address minus the entry) and, with GOTRACEBACK=system, "pc=0x...". Each such group
 * must equal the expansion of the frame's symbolic pc (return address - 1), and each "created
 * by" line must name the function at {@code gopc} and show the line of {@code gopc - 1}.
 */
final class Tracebacks {
    private static final Pattern FUNC_LINE = Pattern.compile("^(\\S.*)\\((.*)\\)$");
    private static final Pattern FILE_LINE = Pattern.compile("^\t(.*):(\\d+)(?: \\+0x([0-9a-f]+))?(?: .*pc=0x([0-9a-f]+))?.*$");

    /** What was checked: real-frame groups, those with inlined frames, "created by" lines. */
    record Checked(int groups, int inlinedGroups, int createdBy) {}

    private Tracebacks() {}

    /**
     * @param allFramesShown true for GOTRACEBACK=system dumps; false for runtime.Stack, which
     *                       hides unexported runtime functions ({@code runtime.showfuncinfo})
     */
    static Checked check(Pclntab tab, List<String> lines, boolean allFramesShown) {
        Map<String, List<Func>> byPrintName = tab.functions().stream().collect(Collectors.groupingBy(Func::printName));
        List<String> group = new ArrayList<>();
        int groups = 0;
        int inlinedGroups = 0;
        int createdBy = 0;
        boolean firstInGoroutine = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher fn = FUNC_LINE.matcher(line);
            Matcher pos = i + 1 < lines.size() ? FILE_LINE.matcher(lines.get(i + 1)) : null;
            boolean created = line.startsWith("created by ");
            if (!(created || fn.matches()) || pos == null || !pos.matches()) {
                group.clear();
                firstInGoroutine = line.startsWith("goroutine ");
                continue;
            }
            i++;
            String position = pos.group(1) + ":" + pos.group(2);
            if (created) {
                String creator = line.substring("created by ".length()).replaceFirst(" in goroutine \\d+$", "");
                long off = Long.parseLong(pos.group(3), 16);
                assertTrue(candidates(byPrintName, creator).stream()
                        .anyMatch(f -> position.equals(tab.line(f.entry() + off - 1).toString())), line + " " + position);
                createdBy++;
                continue;
            }
            String name = fn.group(1).equals("panic") ? "runtime.gopanic" : fn.group(1);
            group.add(name + " " + position);
            if (pos.group(3) == null && pos.group(4) == null) {
                continue; // an inlined frame: its real frame follows
            }
            long off = pos.group(3) == null ? 0 : Long.parseLong(pos.group(3), 16);
            List<List<String>> tried = new ArrayList<>();
            for (Func f : candidates(byPrintName, name)) {
                long pc = pos.group(4) != null ? Long.parseLong(pos.group(4), 16) : f.entry() + off;
                if (tab.functionIndex(pc) != f.index()) {
                    continue;
                }
                tried.add(expand(tab, off > 0 ? pc - 1 : pc, allFramesShown));
                if (firstInGoroutine) {
                    // A thread stopped by a signal: its pc is the faulting instruction, not a return address.
                    tried.add(expand(tab, pc, allFramesShown));
                }
            }
            if (!tried.contains(group)) {
                fail("the runtime printed " + group + "; expansions of the candidates are " + tried);
            }
            groups++;
            inlinedGroups += group.size() > 1 ? 1 : 0;
            group.clear();
            firstInGoroutine = false;
        }
        return new Checked(groups, inlinedGroups, createdBy);
    }

    private static List<String> expand(Pclntab tab, long pc, boolean allFramesShown) {
        return tab.frames(pc).stream()
                .filter(f -> allFramesShown || shownByRuntime(f))
                .map(f -> (f.function().equals("runtime.gopanic") ? f.function() : f.printName()) + " " + f.file() + ":" + f.line())
                .toList();
    }

    /** {@code runtime.showfuncinfo} without GOTRACEBACK=system: unexported runtime functions are hidden. */
    private static boolean shownByRuntime(Frame f) {
        String n = f.function();
        if (!n.contains(".")) {
            return false;
        }
        return !n.startsWith("runtime.") || Character.isUpperCase(n.charAt("runtime.".length()));
    }

    private static List<Func> candidates(Map<String, List<Func>> byPrintName, String printName) {
        List<Func> out = byPrintName.getOrDefault(printName, List.of());
        assertFalse(out.isEmpty(), "no function prints as " + printName);
        return out;
    }
}
