package dev.loupe.decoder;

import java.util.List;

/**
 * A decoded goroutine and its symbolised stack.
 *
 * @param info      its state
 * @param frames    innermost first, inlined frames expanded
 * @param truncated true when the stack goes on beyond {@code frames}: the depth limit, or an unreadable stack
 * @param index     its index in {@code runtime.allgs} at the pause, which its capture records name
 * @param chainDepth for each return address the program read from the frame-pointer chain, in its order, the index
 *                   in {@code frames} of the (not inlined) frame it is the pc of; -1 where the stack was unwound
 *                   otherwise or ends before
 */
public record GoroutineStack(GoroutineInfo info, List<Frame> frames, boolean truncated, int index, List<Integer> chainDepth) {
    public GoroutineStack {
        frames = List.copyOf(frames);
        chainDepth = List.copyOf(chainDepth);
    }
}
