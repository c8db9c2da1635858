/**
 * Reads a Go binary — ELF, Go build info, the pclntab, DWARF and the runtime's layout — without
 * Go or native code; start at {@link dev.loupe.dwarf.GoBinary}. Formats: the
 * <a href="https://refspecs.linuxfoundation.org/elf/gabi4+/contents.html">System V ABI (ELF)</a>,
 * <a href="https://dwarfstd.org/doc/DWARF5.pdf">DWARF 5</a> and the Go runtime's own tables
 * (<a href="https://go.dev/s/go12symtab">go.dev/s/go12symtab</a>).
 */
package dev.loupe.dwarf;
