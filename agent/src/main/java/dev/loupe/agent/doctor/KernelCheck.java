package dev.loupe.agent.doctor;

import dev.loupe.agent.internal.sys.Syscalls;

import java.util.Set;

/** The kernel and machine from {@code uname(2)}: Loupe's agent runs on Linux x86-64 and arm64. */
final class KernelCheck implements Check {
    private static final Set<String> MACHINES = Set.of("x86_64", "aarch64");

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public boolean required() {
        return true;
    }

    @Override
    public String fallbackRemedy() {
        return "run the agent on Linux x86-64 or arm64";
    }

    @Override
    public Finding run(Host host) throws Exception {
        Syscalls.Uname u = Syscalls.uname();
        String detail = u.sysname() + " " + u.release() + " " + u.machine();
        if (u.sysname().equals("Linux") && MACHINES.contains(u.machine())) {
            return Finding.ok(name(), detail, required());
        }
        return Finding.missing(name(), detail + " is not supported", fallbackRemedy(), required());
    }
}
