package dev.loupe.decoder;

import java.util.List;

/**
 * A decoded goroutine and its symbolised stack.
 *
 * @param info      its state
 * @param frames    innermost first, inlined frames expanded
 * @param truncated true when the stack goes on beyond {@code frames}: the depth limit, or an unreadable stack
 */
public record GoroutineStack(GoroutineInfo info, List<Frame> frames, boolean truncated) {}
