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
 * @param innermostDepth for a running goroutine unwound from its thread's registers, the index in {@code frames} of
 *                   the (not inlined) frame of the pc it stopped at; -1 otherwise
 */
public record GoroutineStack(GoroutineInfo info, List<Frame> frames, boolean truncated, int index, List<Integer> chainDepth,
                             int innermostDepth) {
    public GoroutineStack {
        frames = List.copyOf(frames);
        chainDepth = List.copyOf(chainDepth);
    }

    /** The index in {@link #frames} of the frame a capture record names: {@code chainIndex} -1 is the innermost. */
    public int depthOf(int chainIndex) {
        return chainIndex < 0 ? innermostDepth : chainIndex < chainDepth.size() ? chainDepth.get(chainIndex) : -1;
    }
}
