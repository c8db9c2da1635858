package dev.loupe.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Go toolchains the tests build targets with. By default only the machine's Go
 * ({@link #LOCAL}); with {@code -Dloupe.go.versions=all} (or {@code LOUPE_GO_VERSIONS=all})
 * also the newest patch release of the two previous minor versions, which the
 * {@code go} command fetches through the module proxy. An explicit comma-separated
 * list ({@code local,go1.24.13}) works too.
 */
public final class GoToolchains {
    /** The Go on the machine, used with {@code GOTOOLCHAIN=local}. */
    public static final String LOCAL = "local";

    private static final Pattern TOOLCHAIN_VERSION =
            Pattern.compile("v0\\.0\\.1-go(\\d+)\\.(\\d+)\\.(\\d+)\\.linux-amd64");
    private static volatile List<String> selected;
    private static final Map<String, String> versions = new java.util.concurrent.ConcurrentHashMap<>();

    private GoToolchains() {}

    /** The toolchains selected for this run, {@link #LOCAL} first. */
    public static List<String> selected() {
        List<String> s = selected;
        if (s == null) {
            String spec = System.getProperty("loupe.go.versions", System.getenv().getOrDefault("LOUPE_GO_VERSIONS", LOCAL));
            s = resolve(spec);
            selected = s;
        }
        return s;
    }

    /** The {@code go} executable: the one on PATH, else /usr/local/go/bin/go. */
    public static String goExecutable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "go"))) {
                return java.nio.file.Path.of(dir, "go").toString();
            }
        }
        if (java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/local/go/bin/go"))) {
            return "/usr/local/go/bin/go";
        }
        throw new IllegalStateException("no Go toolchain: install Go (https://go.dev/dl) or put it on PATH");
    }

    /** The Go version a toolchain reports, e.g. "go1.26.8" (runs {@code go env GOVERSION} once). */
    public static String version(String toolchain) {
        return versions.computeIfAbsent(toolchain, t ->
                Exec.run(Exec.cmd(goExecutable(), "env", "GOVERSION").env("GOTOOLCHAIN", t)).strip());
    }

    static List<String> resolve(String spec) {
        List<String> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("all")) {
                out.add(LOCAL);
                out.addAll(previousMinors(2));
            } else {
                out.add(p);
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(out));
    }

    /**
     * The newest patch release of Go {@code major.minor} that the module proxy lists, e.g. "go1.25.14" for (1, 25):
     * for a test that needs a feature of that version (such as {@code GOEXPERIMENT=noswissmap}, gone in 1.26).
     */
    public static String newestPatch(int major, int minor) {
        Integer patch = newestPatches(major).get(minor);
        if (patch == null) {
            throw new IllegalStateException("the module proxy lists no toolchain go" + major + "." + minor + ".x");
        }
        return "go" + major + "." + minor + "." + patch;
    }

    /** For each minor version of Go {@code major}, its newest patch release the module proxy lists. */
    private static Map<Integer, Integer> newestPatches(int major) {
        String listing = Exec.run(Exec.cmd(goExecutable(), "list", "-m", "-versions", "golang.org/toolchain")
                .env("GOTOOLCHAIN", LOCAL).dir(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"))));
        Map<Integer, Integer> newest = new LinkedHashMap<>();
        Matcher m = TOOLCHAIN_VERSION.matcher(listing);
        while (m.find()) {
            if (Integer.parseInt(m.group(1)) == major) {
                newest.merge(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Math::max);
            }
        }
        return newest;
    }

    /** The newest patch release of each of the {@code n} minor versions before the local one. */
    static List<String> previousMinors(int n) {
        Matcher local = Pattern.compile("go(\\d+)\\.(\\d+)").matcher(version(LOCAL));
        if (!local.lookingAt()) {
            throw new IllegalStateException("cannot parse the local Go version " + version(LOCAL));
        }
        int major = Integer.parseInt(local.group(1));
        int minor = Integer.parseInt(local.group(2));
        Map<Integer, Integer> newestPatch = newestPatches(major);
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Integer patch = newestPatch.get(minor - i);
            if (patch == null) {
                throw new IllegalStateException("the module proxy lists no toolchain go" + major + "." + (minor - i) + ".x");
            }
            out.add("go" + major + "." + (minor - i) + "." + patch);
        }
        return out;
    }
}
