package dev.loupe.dwarf.elf;

/**
 * One {@code Elf64_Phdr}.
 *
 * @param type   {@code p_type}, e.g. {@link #PT_LOAD}
 * @param flags  {@code p_flags}: {@link #PF_X}, {@link #PF_W}, {@link #PF_R}
 * @param offset {@code p_offset}
 * @param vaddr  {@code p_vaddr}
 * @param filesz {@code p_filesz}: bytes present in the file
 * @param memsz  {@code p_memsz}: bytes in memory (the rest is zero-filled)
 * @param align  {@code p_align}
 */
public record ProgramHeader(int type, int flags, long offset, long vaddr, long filesz, long memsz, long align) {
    public static final int PT_LOAD = 1;
    public static final int PT_DYNAMIC = 2;
    public static final int PT_NOTE = 4;

    public static final int PF_X = 1;
    public static final int PF_W = 2;
    public static final int PF_R = 4;

    public boolean isLoad() {
        return type == PT_LOAD;
    }

    /** True when {@code vaddr} lies in the part of the segment backed by file bytes. */
    public boolean containsFileBackedAddress(long vaddr) {
        return Long.compareUnsigned(vaddr - this.vaddr, filesz) < 0;
    }
}
