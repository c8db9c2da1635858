package dev.loupe.app.snapshot;

/**
 * A captured process, as the {@code processes} table records it.
 *
 * @param pid           the process id on its host
 * @param hostname      the host it ran on
 * @param exePath       the executable's path on that host
 * @param buildId       the Go build id (or GNU build id when there is none)
 * @param goVersion     the Go version the binary was built with, e.g. "go1.26.8"
 * @param captureTimeNs when it was paused, in Unix nanoseconds
 * @param pauseNs       how long it was paused, as the agent measured it
 * @param threads       its threads at the pause
 * @param lostRecords   goroutine records lost to a full ring buffer (then the snapshot lacks that many)
 * @param unreadable    goroutines whose {@code runtime.g} could not be read
 */
public record ProcessInfo(int pid, String hostname, String exePath, String buildId, String goVersion,
                          long captureTimeNs, long pauseNs, int threads, long lostRecords, long unreadable) {}
