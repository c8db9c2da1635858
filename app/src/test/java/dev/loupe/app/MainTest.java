package dev.loupe.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @Test
    void theWorkstationOpensWithoutArgumentsOrWithFiles(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("s.db"), "");
        assertTrue(Main.opensWorkstation(new String[0]));
        assertTrue(Main.opensWorkstation(new String[] {file.toString()}));
        assertFalse(Main.opensWorkstation(new String[] {"doctor"}));
        assertFalse(Main.opensWorkstation(new String[] {"--help"}));
        assertFalse(Main.opensWorkstation(new String[] {dir.resolve("missing.db").toString()}), "the CLI says what is wrong");
        assertFalse(Main.opensWorkstation(new String[] {"stacks", file.toString()}));
    }
}
