/**
 * ELF64 little-endian files as the
 * <a href="https://refspecs.linuxfoundation.org/elf/gabi4+/contents.html">System V gABI</a>
 * defines them (with the x86-64 and AArch64 psABI relocation numbers): header, sections
 * (including {@code SHF_COMPRESSED} and GNU {@code .zdebug_*} ones), program headers,
 * symbols, notes and {@code R_*_RELATIVE} relocations, read from a memory-mapped file.
 */
package dev.loupe.dwarf.elf;
