package dev.loupe.dwarf.elf;

import dev.loupe.dwarf.internal.ByteView;

/**
 * One note ({@code Elf64_Nhdr} plus name and descriptor) from a {@code SHT_NOTE} section or a
 * {@code PT_NOTE} segment.
 *
 * @param name the owner name without its NUL, e.g. "GNU" or "Go"
 * @param type {@code n_type}, e.g. {@link #NT_GNU_BUILD_ID}
 * @param desc the descriptor bytes
 */
public record ElfNote(String name, long type, ByteView desc) {
    /** The GNU build id note ("GNU", type 3): a linker-chosen hash of the output. */
    public static final int NT_GNU_BUILD_ID = 3;
    /** The Go build id note ("Go", type 4, {@code ELF_NOTE_GOBUILDID_TAG} in cmd/link). */
    public static final int NT_GO_BUILD_ID = 4;
}
