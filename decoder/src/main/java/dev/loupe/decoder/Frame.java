package dev.loupe.decoder;

/**
 * One frame of a goroutine's stack after symbolisation, as {@code runtime.Stack} prints it.
 *
 * @param function the Go function name, e.g. {@code main.(*Server).handle}
 * @param file     the source file
 * @param line     the line in {@code file}
 * @param pc       the program counter this frame came from (an inlined frame shares its caller's)
 * @param inlined  true when the function was inlined into the next frame out
 */
public record Frame(String function, String file, int line, long pc, boolean inlined) {}
