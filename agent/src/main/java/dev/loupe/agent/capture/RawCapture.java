package dev.loupe.agent.capture;

import dev.loupe.agent.pause.ThreadRegs;

import java.util.List;
import java.util.Map;

/**
 * What one run of a snapshot program produced, before any decoding.
 *
 * @param pid      the process
 * @param pauseNs  how long it was paused, from the first thread interrupted to the last resumed
 * @param stopNs   the part of the pause spent stopping its threads
 * @param runNs    the part spent running the program
 * @param records  the ring buffer's records, in the order the program wrote them
 * @param threads  every thread's registers at the pause, by thread id
 */
public record RawCapture(int pid, long pauseNs, long stopNs, long runNs, List<byte[]> records,
                         Map<Integer, ThreadRegs> threads) {}
