package dev.loupe.agent.doctor;

import dev.loupe.bpf.btf.Btf;

import java.nio.file.Files;

/** The kernel's own type information, which attaches iterators and gives kernel struct offsets. */
final class BtfCheck implements Check {

    @Override
    public String name() {
        return "BTF";
    }

    @Override
    public boolean required() {
        return true;
    }

    @Override
    public String fallbackRemedy() {
        return "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (the default of major distributions since 2020)";
    }

    @Override
    public Finding run(Host host) throws Exception {
        Btf btf = host.btf();
        long bytes = Files.size(Host.VMLINUX_BTF);
        return Finding.ok(name(), String.format("%s: %,d types in %.1f MiB, read and parsed in %d ms",
                Host.VMLINUX_BTF, btf.typeCount(), bytes / (1024.0 * 1024), host.btfMillis()), required());
    }
}
