package dev.loupe.app.cli;

import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.RunningTarget;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PsCommandTest {
    @Test
    void aRunningTargetIsListedUnderItsBinaryWithItsGoVersion() throws Exception {
        try (RunningTarget t = RunningTarget.startReady(GoBuild.target("stacks"), List.of("-n", "3"), Duration.ofSeconds(120))) {
            StringWriter out = new StringWriter();
            assertEquals(0, LoupeCommand.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "ps"));
            String text = out.toString();
            String exe = t.binary().toRealPath().toString();
            int at = text.indexOf(exe + " (go1.");
            assertTrue(at >= 0, exe + " in\n" + text);
            String rest = text.substring(at);
            assertTrue(rest.contains("\n  " + t.pid() + " "), t.pid() + " under it:\n" + text);
            assertTrue(rest.contains(exe + " -n 3"), "its command line:\n" + text);
        }
    }
}
