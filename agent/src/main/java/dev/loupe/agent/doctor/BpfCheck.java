package dev.loupe.agent.doctor;

import dev.loupe.agent.internal.sys.Bpf;
import dev.loupe.agent.internal.sys.Fd;
import dev.loupe.agent.internal.sys.Procfs;
import dev.loupe.agent.internal.sys.ProgramSpec;
import dev.loupe.bpf.asm.Assembler;
import dev.loupe.bpf.asm.Insn;
import dev.loupe.bpf.asm.Program;

import static dev.loupe.bpf.asm.Register.R0;

/**
 * Loads the smallest program there is, a socket filter {@code r0 = 0; exit}, and asks the kernel whether it was
 * JIT-compiled ({@code jited_prog_len} of {@code struct bpf_prog_info}), which matters for pause times.
 */
final class BpfCheck implements Check {

    static Program program() {
        return new Assembler().emit(Insn.mov64Imm(R0, 0), Insn.exit()).build();
    }

    @Override
    public String name() {
        return "bpf";
    }

    @Override
    public boolean required() {
        return true;
    }

    @Override
    public String fallbackRemedy() {
        return BPF_KERNEL;
    }

    @Override
    public Finding run(Host host) throws Exception {
        try (Fd prog = Bpf.progLoad(ProgramSpec.of(Bpf.ProgType.SOCKET_FILTER, "loupe_doctor", program()))) {
            Bpf.ProgInfo info = Bpf.progInfo(prog);
            String jitSetting = Procfs.sysctl("net.core.bpf_jit_enable").map(v -> "net.core.bpf_jit_enable=" + v)
                    .orElse("net.core.bpf_jit_enable unreadable");
            if (info.jitedBytes() == 0 && info.xlatedBytes() == 0) {
                // The kernel hides both sizes from callers without CAP_BPF.
                return Finding.ok(name(), "BPF_PROG_LOAD works; JIT state hidden from this user (" + jitSetting + ")",
                        required());
            }
            if (info.jitedBytes() > 0) {
                return Finding.ok(name(), "BPF_PROG_LOAD works; JIT on: " + info.xlatedBytes() / 8 + " insns became "
                        + info.jitedBytes() + " bytes of machine code (" + jitSetting + ")", required());
            }
            return Finding.warn(name(), "BPF_PROG_LOAD works, but the program was not JIT-compiled (" + jitSetting
                    + "): snapshots pause longer", "sysctl -w net.core.bpf_jit_enable=1");
        }
    }
}
