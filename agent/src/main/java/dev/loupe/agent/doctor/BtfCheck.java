package dev.loupe.agent.doctor;

import dev.loupe.bpf.btf.Btf;
import dev.loupe.bpf.btf.KernelFacts;

import java.nio.file.Files;
import java.util.NoSuchElementException;

/**
 * The kernel's own type information, which attaches iterators and gives kernel struct offsets, including
 * everything the snapshot program is generated against ({@link KernelFacts}).
 */
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
        String found = String.format("%s: %,d types in %.1f MiB, read and parsed in %d ms",
                Host.VMLINUX_BTF, btf.typeCount(), bytes / (1024.0 * 1024), host.btfMillis());
        KernelFacts facts;
        try {
            facts = KernelFacts.of(btf);
        } catch (NoSuchElementException e) {
            return Finding.missing(name(), found + ", but " + e.getMessage(), "use Linux 6.4 or newer", required());
        }
        return Finding.ok(name(), found + "; it has what the snapshot program needs"
                + (facts.signalFrame() == null
                        ? " but struct rt_sigframe (a goroutine whose thread is in a signal handler shows no stack)"
                        : ", signal frames included"), required());
    }
}
