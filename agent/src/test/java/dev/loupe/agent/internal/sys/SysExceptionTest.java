package dev.loupe.agent.internal.sys;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SysExceptionTest {

    @Test
    void eachErrorSaysWhatFailedAndWhy() {
        assertEquals("BPF_MAP_CREATE: EPERM (Operation not permitted): needs root or CAP_BPF (and CAP_PERFMON for tracing programs)",
                new BpfException("BPF_MAP_CREATE", 1).getMessage());
        assertEquals("ptrace PTRACE_SEIZE: EPERM (Operation not permitted): needs CAP_SYS_PTRACE, or a "
                        + "kernel.yama.ptrace_scope that allows tracing this process",
                new SysException("ptrace PTRACE_SEIZE", 1).getMessage());
        assertEquals("BPF_LINK_CREATE: EINVAL (Invalid argument)", new BpfException("BPF_LINK_CREATE", 22).getMessage());
        assertEquals("read: errno 200", new SysException("read", 200).getMessage());
    }

    @Test
    void verifierSummaryIsTheReasonAndItsInstruction() {
        String log = """
                func#0 @0
                0: R1=ctx() R10=fp0
                0: (95) exit
                R0 !read_ok
                processed 1 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
                """;
        assertEquals("R0 !read_ok (at 0: (95) exit)", VerifierException.summary(log));
        assertEquals("BPF_PROG_LOAD bad: EACCES (Permission denied): verifier: R0 !read_ok (at 0: (95) exit)",
                new VerifierException("bad", 13, log).getMessage());
        assertEquals("unknown func bpf_nonsense#9999", VerifierException.summary("unknown func bpf_nonsense#9999\n"));
        assertEquals("no log", VerifierException.summary("\n\n"));
    }
}
