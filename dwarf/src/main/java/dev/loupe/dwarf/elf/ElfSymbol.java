package dev.loupe.dwarf.elf;

/**
 * One {@code Elf64_Sym} with its name resolved.
 *
 * @param name         the name, "" when unnamed
 * @param value        {@code st_value}: the link-time address for defined symbols
 * @param size         {@code st_size}
 * @param info         {@code st_info}: binding in the high nibble, type in the low one
 * @param sectionIndex {@code st_shndx}: the defining section, {@link #SHN_UNDEF} if undefined
 */
public record ElfSymbol(String name, long value, long size, int info, int sectionIndex) {
    public static final int SHN_UNDEF = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;

    /** {@code ELF64_ST_TYPE(st_info)}. */
    public int type() {
        return info & 0xf;
    }

    /** {@code ELF64_ST_BIND(st_info)}. */
    public int bind() {
        return info >>> 4;
    }
}
