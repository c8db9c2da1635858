package dev.loupe.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a short external command to completion and returns its standard output. */
public final class Exec {
    private final List<String> argv;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path dir;
    private long timeoutSeconds = 600;

    private Exec(List<String> argv) {
        this.argv = argv;
    }

    public static Exec cmd(String... argv) {
        return new Exec(List.of(argv));
    }

    public static Exec cmd(List<String> argv) {
        return new Exec(List.copyOf(argv));
    }

    public Exec env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public Exec dir(Path dir) {
        this.dir = dir;
        return this;
    }

    public Exec timeoutSeconds(long seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    /** Runs the command; throws with its combined output when it fails or times out. */
    public static String run(Exec e) {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(e.argv)).redirectErrorStream(true);
        pb.environment().putAll(e.env);
        if (e.dir != null) {
            pb.directory(e.dir.toFile());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException ex) {
            throw new IllegalStateException("cannot run " + e.argv.getFirst() + ": " + ex.getMessage(), ex);
        }
        try {
            p.getOutputStream().close();
            var out = new java.io.ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    p.getInputStream().transferTo(out);
                } catch (IOException ignored) {
                    // The process went away; what was read so far is reported below.
                }
            });
            if (!p.waitFor(e.timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", e.argv) + " timed out after " + e.timeoutSeconds + " s");
            }
            reader.join();
            String text = out.toString(StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", e.argv) + " failed (exit " + p.exitValue() + "):\n" + text);
            }
            return text;
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + e.argv.getFirst(), ex);
        }
    }
}
