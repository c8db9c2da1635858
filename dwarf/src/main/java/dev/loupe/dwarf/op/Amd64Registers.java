package dev.loupe.dwarf.op;

/**
 * DWARF register numbers of x86-64 (System V psABI, figure 3.36 "DWARF Register Number
 * Mapping"), which Go uses too ({@code cmd/compile/internal/ssa/config.go}, {@code dwarfRegMapping}).
 */
public final class Amd64Registers {
    private static final String[] NAMES = {
            "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
            "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
            "xmm14", "xmm15"};

    private Amd64Registers() {}

    /** The register's name, or "dwarfreg" + number for those not listed. */
    public static String name(int dwarfRegister) {
        return dwarfRegister >= 0 && dwarfRegister < NAMES.length ? NAMES[dwarfRegister] : "dwarfreg" + dwarfRegister;
    }
}
