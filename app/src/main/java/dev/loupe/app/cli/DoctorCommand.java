package dev.loupe.app.cli;

import dev.loupe.agent.doctor.Doctor;
import dev.loupe.agent.doctor.Finding;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code loupe doctor}: tries, for real, everything a snapshot needs on this machine. */
@Command(name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Checks what Loupe needs on this machine by trying each thing for real:",
            "loading a BPF program, ring buffers, uprobes, sleepable task iterators,",
            "BTF, ptrace permission, privileges, and the Go toolchains found.",
            "Exits with status 1 when a snapshot could not work here."})
public final class DoctorCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Finding> findings = Doctor.run();
        int width = findings.stream().mapToInt(f -> f.check().length()).max().orElse(0);
        for (Finding f : findings) {
            out.printf("%-8s %-" + width + "s  %s%n", f.status().name().toLowerCase(java.util.Locale.ROOT), f.check(), f.detail());
            if (f.status() != Finding.Status.OK && !f.remedy().isEmpty()) {
                out.printf("%-8s %-" + width + "s  to fix: %s%n", "", "", f.remedy());
            }
        }
        long blocking = findings.stream().filter(Finding::blocksSnapshot).count();
        if (blocking == 0) {
            out.println("snapshots can work on this machine");
        } else {
            out.println(blocking + (blocking == 1 ? " thing" : " things") + " missing: snapshots cannot work on this machine until fixed");
        }
        out.flush();
        return blocking == 0 ? 0 : 1;
    }
}
