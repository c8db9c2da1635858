package dev.loupe.dwarf.elf;

/**
 * The fields of {@code Elf64_Ehdr} that matter after the identification bytes were checked
 * (class {@code ELFCLASS64}, data {@code ELFDATA2LSB}).
 *
 * @param type     {@code e_type}: {@link #ET_EXEC}, {@link #ET_DYN} (PIE or shared object)...
 * @param machine  {@code e_machine}: {@link #EM_X86_64}, {@link #EM_AARCH64}...
 * @param entry    {@code e_entry}, the link-time entry point
 * @param phoff    {@code e_phoff}
 * @param shoff    {@code e_shoff}
 * @param phnum    the number of program headers (after {@code PN_XNUM} extension)
 * @param shnum    the number of section headers (after the {@code e_shnum == 0} extension)
 * @param shstrndx the section-name string table's index (after {@code SHN_XINDEX} extension)
 */
public record ElfHeader(int type, int machine, long entry, long phoff, long shoff, int phnum, int shnum, int shstrndx) {
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int EM_X86_64 = 62;
    public static final int EM_AARCH64 = 183;

    /** True for position-independent files, whose addresses move by a load bias at run time. */
    public boolean isPositionIndependent() {
        return type == ET_DYN;
    }

    /** The Go name of the architecture ("amd64", "arm64"), or "machine-N" for others. */
    public String goArch() {
        return switch (machine) {
            case EM_X86_64 -> "amd64";
            case EM_AARCH64 -> "arm64";
            default -> "machine-" + machine;
        };
    }
}
