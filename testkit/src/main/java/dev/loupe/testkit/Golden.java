package dev.loupe.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Golden files: what a format looks like, committed under the module's {@code src/test/resources/golden/} and
 * compared with what the code produces now, so that any change of shape is deliberate. Run the tests with
 * {@code -Dgolden.update=true} to write the files anew (then review the diff). Mask what legitimately varies
 * (addresses, goids, times) before comparing; put the configuration (target, Go version) in the file's name.
 */
public final class Golden {
    private Golden() {}

    /** Compares {@code actual} with the golden file {@code name}, or writes it when updating. */
    public static void assertMatches(String name, String actual) {
        Path file = Path.of(System.getProperty("user.dir"), "src", "test", "resources", "golden", name);
        try {
            if (Boolean.getBoolean("golden.update")) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(file)) {
                throw new AssertionError("no golden file " + file + "; write it with -Dgolden.update=true and review it");
            }
            assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual,
                    "differs from " + file + " (if the change is meant, rerun with -Dgolden.update=true and review the diff)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
