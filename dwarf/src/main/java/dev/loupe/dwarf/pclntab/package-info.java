/**
 * The Go runtime's function table ("pclntab", {@code runtime.pclntab}) for Go 1.18 and later:
 * functions, pc to file:line, stack-pointer deltas and inlined frames, read the way the
 * runtime reads them ({@code runtime/symtab.go}, {@code runtime/symtabinl.go},
 * {@code internal/abi/symtab.go}; design: <a href="https://go.dev/s/go12symtab">go.dev/s/go12symtab</a>).
 * It needs neither DWARF nor a symbol table, so stripped binaries get full stacks.
 */
package dev.loupe.dwarf.pclntab;
