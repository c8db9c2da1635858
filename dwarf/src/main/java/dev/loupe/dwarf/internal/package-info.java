/**
 * Not API: bounds-checked little-endian reads over mapped or decompressed bytes, shared by the
 * format readers; every failed check becomes a {@link dev.loupe.dwarf.BinaryFormatException}
 * naming the file, the section and the offset.
 */
package dev.loupe.dwarf.internal;
