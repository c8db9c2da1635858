package dev.loupe.app.cli;

import dev.loupe.app.capture.GoProcesses;
import dev.loupe.app.capture.GoProcesses.GoProcess;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code loupe ps}: the Go processes of this machine, grouped by executable. */
@Command(name = "ps",
        mixinStandardHelpOptions = true,
        description = "Lists the Go processes of this machine, grouped by executable: pid, uptime, command line.")
public final class PsCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<Path, List<GoProcess>> byExe = new LinkedHashMap<>();
        for (GoProcess p : GoProcesses.list()) {
            byExe.computeIfAbsent(p.exe(), e -> new ArrayList<>()).add(p);
        }
        byExe.forEach((exe, processes) -> {
            out.println(exe + " (" + processes.getFirst().goVersion() + ")");
            for (GoProcess p : processes) {
                out.printf("  %-8d %-10s %s%n", p.pid(), StacksCommand.human(p.uptime()), p.commandLine());
            }
        });
        if (byExe.isEmpty()) {
            out.println("no Go processes this user can read (root sees every user's)");
        }
        out.flush();
        return 0;
    }
}
