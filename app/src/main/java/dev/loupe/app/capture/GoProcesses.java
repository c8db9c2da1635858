package dev.loupe.app.capture;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.buildinfo.BuildInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The Go processes of this machine, from /proc: those whose executable carries Go's build information. */
public final class GoProcesses {
    /** Linux's USER_HZ, the unit of /proc/PID/stat's times: 100 on every architecture Loupe runs on. */
    private static final int USER_HZ = 100;

    private GoProcesses() {}

    /**
     * A Go process.
     *
     * @param exe         its executable, as /proc/PID/exe names it
     * @param goVersion   the Go release that built it, e.g. {@code go1.26.8}
     * @param uptime      how long it has run
     * @param commandLine its arguments, separated by spaces
     */
    public record GoProcess(int pid, Path exe, String goVersion, Duration uptime, String commandLine) {}

    /** Every Go process this user may read, by executable then pid. */
    public static List<GoProcess> list() {
        List<GoProcess> out = new ArrayList<>();
        double bootSeconds = uptimeSeconds();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                describe(proc, bootSeconds).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc: " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing((GoProcess p) -> p.exe().toString()).thenComparingInt(GoProcess::pid));
        return out;
    }

    /** The process at {@code proc} if it is a Go one whose executable this user can read; it may also be gone. */
    private static Optional<GoProcess> describe(Path proc, double bootSeconds) {
        try {
            Path exe = Files.readSymbolicLink(proc.resolve("exe"));
            Optional<String> goVersion;
            try (GoBinary b = GoBinary.open(proc.resolve("exe"))) {
                goVersion = b.buildInfo().map(BuildInfo::goVersion);
            }
            if (goVersion.isEmpty()) {
                return Optional.empty();
            }
            String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').strip();
            String stat = Files.readString(proc.resolve("stat"));
            // The fields after the command name (which may hold spaces), from its closing parenthesis on.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double started = Long.parseLong(fields[19]) / (double) USER_HZ;
            Duration uptime = Duration.ofMillis((long) Math.max(0, (bootSeconds - started) * 1000));
            return Optional.of(new GoProcess(Integer.parseInt(proc.getFileName().toString()), exe, goVersion.get(), uptime, cmdline));
        } catch (IOException | RuntimeException notReadable) {
            // Gone, not ours to read, or not an ELF file: not a Go process Loupe can take.
            return Optional.empty();
        }
    }

    private static double uptimeSeconds() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/uptime: " + e.getMessage(), e);
        }
    }
}
