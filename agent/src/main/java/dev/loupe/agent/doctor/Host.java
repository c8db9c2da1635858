package dev.loupe.agent.doctor;

import dev.loupe.bpf.btf.Btf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the checks share about this process and host, computed once per {@link Doctor#run()}. */
final class Host {
    static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");

    /** Capability numbers from {@code linux/capability.h}. */
    enum Cap {
        SYS_PTRACE(19), SYS_ADMIN(21), PERFMON(38), BPF(39);

        final int bit;

        Cap(int bit) {
            this.bit = bit;
        }
    }

    private final long uid;
    private final long capEff;
    private Btf btf;
    private Exception btfFailure;
    private long btfMillis;

    Host() {
        long u = -1;
        long caps = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    u = Long.parseLong(line.split("\\s+")[2]);
                } else if (line.startsWith("CapEff:")) {
                    caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                }
            }
        } catch (IOException | RuntimeException e) {
            // No procfs: the checks then report what fails for real; here we just know nothing.
        }
        this.uid = u;
        this.capEff = caps;
    }

    /** The effective uid, -1 if unknown. */
    long uid() {
        return uid;
    }

    boolean isRoot() {
        return uid == 0;
    }

    boolean has(Cap cap) {
        return (capEff >>> cap.bit & 1) != 0;
    }

    /** The vmlinux BTF, read on first use; the failure is remembered so that every check reports the same one. */
    synchronized Btf btf() throws Exception {
        if (btf == null && btfFailure == null) {
            long start = System.nanoTime();
            try {
                btf = Btf.read(VMLINUX_BTF);
            } catch (IOException | RuntimeException e) {
                btfFailure = e;
            }
            btfMillis = (System.nanoTime() - start) / 1_000_000;
        }
        if (btfFailure != null) {
            throw btfFailure;
        }
        return btf;
    }

    /** How long reading and parsing the BTF took. */
    synchronized long btfMillis() {
        return btfMillis;
    }
}
