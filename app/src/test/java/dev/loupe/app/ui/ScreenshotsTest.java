package dev.loupe.app.ui;

import dev.loupe.agent.LocalAgent;
import dev.loupe.app.capture.Snapshotter;
import dev.loupe.testkit.Gate;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each main view of a real snapshot rendered to a 1440x900 PNG that is not blank. */
class ScreenshotsTest {
    /** Started here, so that rendering leaves it running for the test classes after this one (one JVM runs them all). */
    @BeforeAll
    static void startJavaFx() throws Exception {
        Fx.start();
    }

    @Test
    void eachViewIsAPictureOfTheSnapshot(@TempDir Path dir) throws Exception {
        Path db = StacksSnapshot.take(dir.resolve("stacks.db"), List.of("-n", "100"), null);
        List<Path> pngs = Screenshots.render(db, dir.resolve("shots"));
        assertEquals(List.of("flame-graph.png", "grouped-stacks.png", "tables.png", "spec-editor.png"), pngs.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : pngs) {
            BufferedImage image = ImageIO.read(p.toFile());
            assertEquals(1440, image.getWidth(), p.toString());
            assertEquals(900, image.getHeight(), p.toString());
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < image.getHeight(); y += 7) {
                for (int x = 0; x < image.getWidth(); x += 7) {
                    colours.add(image.getRGB(x, y));
                }
            }
            assertTrue(colours.size() > 20, p + " has " + colours.size() + " colours: a drawn view, not a blank window");
        }
    }
}
