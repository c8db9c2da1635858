package dev.loupe.dwarf.pclntab;

/**
 * The parts of the linker-built {@code runtime.moduledata} (in {@code runtime/symtab.go}) this
 * reader uses; all link-time addresses.
 *
 * @param address the address of the moduledata itself ({@code runtime.firstmoduledata})
 * @param minpc   the first function's entry
 * @param maxpc   the last function's end
 * @param text    {@code runtime.text}: function entries are offsets from it
 * @param etext   {@code runtime.etext}
 * @param gofunc  {@code go:func.*}: funcdata (inline trees...) are offsets from it; -1 if unknown
 */
public record ModuleData(long address, long minpc, long maxpc, long text, long etext, long gofunc) {}
