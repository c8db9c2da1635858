package dev.loupe.agent.internal.sys;

import java.io.Serial;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The verifier rejected a program. The message is short: the verifier's reason (its last meaningful line) and the
 * instruction it was looking at; {@link #log()} keeps the whole log for whoever needs to dig.
 */
public final class VerifierException extends BpfException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Lines the verifier prints after the error: statistics, not reasons. */
    private static final Pattern STATISTICS = Pattern.compile(
            "^(processed \\d+ insns|verification time|stack depth|max_states_per_insn|Func#|func#).*");
    /** A listed instruction, e.g. {@code 12: (85) call bpf_ringbuf_output#130}. */
    private static final Pattern INSTRUCTION = Pattern.compile("^\\d+: \\([0-9a-f]{2}\\).*");

    private final String log;

    VerifierException(String program, int errno, String log) {
        super("BPF_PROG_LOAD", errno, "BPF_PROG_LOAD " + program + ": " + Errno.describe(errno) + ": verifier: " + summary(log));
        this.log = log;
    }

    /** The complete verifier log (the tail of it if the kernel had to truncate). */
    public String log() {
        return log;
    }

    /** The reason and the instruction it concerns, e.g. {@code R0 !read_ok (at 0: (95) exit)}. */
    static String summary(String log) {
        List<String> lines = new ArrayList<>(log.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
        while (!lines.isEmpty() && STATISTICS.matcher(lines.getLast()).matches()) {
            lines.removeLast();
        }
        if (lines.isEmpty()) {
            return "no log";
        }
        String reason = lines.getLast();
        String before = lines.size() > 1 ? lines.get(lines.size() - 2) : "";
        return INSTRUCTION.matcher(before).matches() ? reason + " (at " + before + ")" : reason;
    }
}
