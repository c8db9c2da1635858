package dev.loupe.agent.doctor;

import dev.loupe.agent.internal.sys.Procfs;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who this process is: root, or which of the capabilities Loupe needs it holds ({@code CapEff} in
 * {@code /proc/self/status}), and whether unprivileged BPF is allowed at all. Information: the checks above
 * already tried what these allow.
 */
final class PrivilegesCheck implements Check {

    @Override
    public String name() {
        return "privileges";
    }

    @Override
    public boolean required() {
        return false;
    }

    @Override
    public String fallbackRemedy() {
        return "run as root, or grant CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE and CAP_SYS_ADMIN "
                + "(systemd: AmbientCapabilities=CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_SYS_ADMIN)";
    }

    @Override
    public Finding run(Host host) {
        Set<Host.Cap> held = EnumSet.noneOf(Host.Cap.class);
        for (Host.Cap cap : Host.Cap.values()) {
            if (host.has(cap)) {
                held.add(cap);
            }
        }
        String who = host.isRoot() ? "root" : "uid " + host.uid();
        String caps = held.isEmpty() ? "none of CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE, CAP_SYS_ADMIN"
                : held.stream().map(c -> "CAP_" + c.name()).collect(Collectors.joining(", "));
        String unprivileged = Procfs.sysctl("kernel.unprivileged_bpf_disabled")
                .map(v -> "kernel.unprivileged_bpf_disabled=" + v).orElse("kernel.unprivileged_bpf_disabled unreadable");
        String detail = who + "; effective capabilities: " + caps + "; " + unprivileged;
        // CAP_SYS_ADMIN implies CAP_BPF and CAP_PERFMON, and current kernels want it to create uprobes.
        if (held.containsAll(EnumSet.of(Host.Cap.SYS_ADMIN, Host.Cap.SYS_PTRACE))) {
            return Finding.ok(name(), detail, required());
        }
        if (held.containsAll(EnumSet.of(Host.Cap.BPF, Host.Cap.PERFMON, Host.Cap.SYS_PTRACE))) {
            return Finding.warn(name(), detail + "; without CAP_SYS_ADMIN current kernels refuse to create uprobes",
                    fallbackRemedy());
        }
        return Finding.warn(name(), detail, fallbackRemedy());
    }
}
