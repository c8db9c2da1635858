package dev.loupe.dwarf.elf;

/**
 * One {@code Elf64_Shdr}, with its name resolved from the section-name string table.
 *
 * @param index     the section index
 * @param name      the name ({@code sh_name} resolved), "" when unnamed
 * @param type      {@code sh_type}, e.g. {@link #SHT_PROGBITS}
 * @param flags     {@code sh_flags}, e.g. {@link #SHF_COMPRESSED}
 * @param addr      {@code sh_addr}, the link-time virtual address (0 if not loaded)
 * @param offset    {@code sh_offset}, in the file
 * @param size      {@code sh_size}, in the file (compressed size for compressed sections)
 * @param link      {@code sh_link}, e.g. the string table of a symbol table
 * @param info      {@code sh_info}
 * @param addralign {@code sh_addralign}
 * @param entsize   {@code sh_entsize}
 */
public record Section(int index, String name, int type, long flags, long addr, long offset, long size,
                      int link, int info, long addralign, long entsize) {
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOTE = 7;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_DYNSYM = 11;

    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;
    public static final long SHF_COMPRESSED = 0x800;

    /** True when the section occupies memory at run time. */
    public boolean isAlloc() {
        return (flags & SHF_ALLOC) != 0;
    }

    /** True for {@code SHF_COMPRESSED} sections (an {@code Elf64_Chdr} precedes the data). */
    public boolean isCompressed() {
        return (flags & SHF_COMPRESSED) != 0;
    }

    /** True when {@code vaddr} falls inside the section's memory image. */
    public boolean containsAddress(long vaddr) {
        return isAlloc() && Long.compareUnsigned(vaddr - addr, size) < 0;
    }
}
