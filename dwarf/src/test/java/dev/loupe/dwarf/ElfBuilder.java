package dev.loupe.dwarf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a minimal x86-64 ELF file holding only the given sections (no segments, no code), for
 * DWARF that no compiler here emits. {@link Bytes} assembles section contents.
 */
public final class ElfBuilder {
    private final Map<String, byte[]> sections = new LinkedHashMap<>();

    public ElfBuilder section(String name, byte[] contents) {
        sections.put(name, contents);
        return this;
    }

    /** Writes the file: ELF header, section contents, .shstrtab, section headers. */
    public Path write(Path file) {
        Bytes shstrtab = new Bytes().u8(0);
        Map<String, Integer> nameOffsets = new LinkedHashMap<>();
        for (String name : sections.keySet()) {
            nameOffsets.put(name, shstrtab.size());
            shstrtab.cstr(name);
        }
        int shstrtabName = shstrtab.size();
        shstrtab.cstr(".shstrtab");
        Bytes body = new Bytes();
        Map<String, Long> offsets = new LinkedHashMap<>();
        long at = 64;
        for (Map.Entry<String, byte[]> s : sections.entrySet()) {
            offsets.put(s.getKey(), at);
            body.raw(s.getValue());
            at += s.getValue().length;
        }
        long shstrtabOffset = at;
        body.raw(shstrtab.toArray());
        at += shstrtab.size();
        long pad = (8 - at % 8) % 8;
        for (int i = 0; i < pad; i++) {
            body.u8(0);
        }
        long shoff = at + pad;
        int shnum = sections.size() + 2;
        Bytes out = new Bytes();
        out.raw(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        out.u16(2).u16(62).u32(1).u64(0).u64(0).u64(shoff).u32(0).u16(64).u16(56).u16(0).u16(64).u16(shnum).u16(shnum - 1);
        out.raw(body.toArray());
        out.raw(new byte[64]); // SHN_UNDEF
        for (Map.Entry<String, byte[]> s : sections.entrySet()) {
            header(out, nameOffsets.get(s.getKey()), offsets.get(s.getKey()), s.getValue().length);
        }
        header(out, shstrtabName, shstrtabOffset, shstrtab.size());
        try {
            return Files.write(file, out.toArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void header(Bytes out, int name, long offset, long size) {
        int type = 1; // SHT_PROGBITS
        out.u32(name).u32(type).u64(0).u64(0).u64(offset).u64(size).u32(0).u32(0).u64(1).u64(0);
    }

    /** A little-endian byte buffer with the encodings DWARF uses. */
    public static final class Bytes {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        public Bytes u8(int v) {
            b.write(v);
            return this;
        }

        public Bytes u16(int v) {
            return u8(v).u8(v >> 8);
        }

        public Bytes u24(int v) {
            return u16(v).u8(v >> 16);
        }

        public Bytes u32(long v) {
            return u16((int) v).u16((int) (v >> 16));
        }

        public Bytes u64(long v) {
            return u32(v).u32(v >>> 32);
        }

        public Bytes uleb(long v) {
            do {
                int x = (int) (v & 0x7f);
                v >>>= 7;
                u8(v != 0 ? x | 0x80 : x);
            } while (v != 0);
            return this;
        }

        public Bytes sleb(long v) {
            while (true) {
                int x = (int) (v & 0x7f);
                v >>= 7;
                boolean done = (v == 0 && (x & 0x40) == 0) || (v == -1 && (x & 0x40) != 0);
                u8(done ? x : x | 0x80);
                if (done) {
                    return this;
                }
            }
        }

        public Bytes cstr(String s) {
            raw(s.getBytes(StandardCharsets.UTF_8));
            return u8(0);
        }

        public Bytes raw(byte[] bytes) {
            b.writeBytes(bytes);
            return this;
        }

        public int size() {
            return b.size();
        }

        public byte[] toArray() {
            return b.toByteArray();
        }
    }
}
