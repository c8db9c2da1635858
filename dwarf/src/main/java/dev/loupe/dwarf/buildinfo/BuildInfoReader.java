package dev.loupe.dwarf.buildinfo;

import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.elf.ElfFile;
import dev.loupe.dwarf.elf.ProgramHeader;
import dev.loupe.dwarf.elf.Section;
import dev.loupe.dwarf.internal.ByteView;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code .go.buildinfo}. Its 32-byte header starts with the magic
 * {@code "\xff Go buildinf:"}, then the pointer size (byte 14) and flags (byte 15: bit 0 big
 * endian, bit 1 set when the two strings follow inline). Since Go 1.18 the Go version and the
 * module information follow at byte 32 as varint-length-prefixed strings; before, bytes 16
 * and 16+ptrSize pointed at Go string headers. The module information is framed by two
 * 16-byte sentinels and holds the lines {@code runtime/debug.ParseBuildInfo} reads.
 */
public final class BuildInfoReader {
    private static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
    private static final int HEADER_SIZE = 32;
    private static final int ALIGN = 16;
    private static final int FLAG_BIG_ENDIAN = 0x1;
    private static final int FLAG_INLINE_STRINGS = 0x2;

    private BuildInfoReader() {}

    /**
     * The build information of {@code elf}, or empty when it has none (not a Go binary).
     *
     * @throws BinaryFormatException when the build information is there but malformed
     */
    public static Optional<BuildInfo> read(ElfFile elf) {
        try {
            return find(elf);
        } catch (BinaryFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BinaryFormatException(elf.path(), ".go.buildinfo", -1, "malformed build information (" + e + ")", e);
        }
    }

    private static Optional<BuildInfo> find(ElfFile elf) {
        ByteView data = null;
        long at = -1;
        for (ByteView area : dataAreas(elf)) {
            for (long o = 0; o + HEADER_SIZE <= area.size() && at < 0; o += ALIGN) {
                if (area.startsWith(o, MAGIC)) {
                    data = area;
                    at = o;
                }
            }
        }
        if (at < 0) {
            return Optional.empty();
        }
        ByteView h = data.from(at);
        int ptrSize = h.u8(14);
        int flags = h.u8(15);
        String version;
        String modinfo;
        if ((flags & FLAG_INLINE_STRINGS) != 0) {
            long[] next = new long[1];
            long vlen = h.uvarint(HEADER_SIZE, next);
            version = h.string(next[0], vlen);
            long mlen = h.uvarint(next[0] + vlen, next);
            modinfo = h.string(next[0], mlen);
        } else {
            if (ptrSize != 8 || (flags & FLAG_BIG_ENDIAN) != 0) {
                throw h.error(14, "pointer-format build info with pointer size " + ptrSize + " and flags " + flags
                        + " is not supported (64-bit little-endian only)");
            }
            version = elf.goString(elf.readAddress(addressOf(elf, data, at + 16)));
            modinfo = elf.goString(elf.readAddress(addressOf(elf, data, at + 24)));
        }
        if (version.isEmpty()) {
            return Optional.empty();
        }
        if (modinfo.length() >= 33 && modinfo.charAt(modinfo.length() - 17) == '\n') {
            modinfo = modinfo.substring(16, modinfo.length() - 16);
        } else {
            modinfo = "";
        }
        return Optional.of(parse(version, modinfo, h));
    }

    /**
     * The section {@code .go.buildinfo}; without section headers, the writable, non-executable
     * PT_LOAD segments (the first may be RELRO data, so not only the first as debug/buildinfo does).
     */
    private static List<ByteView> dataAreas(ElfFile elf) {
        Optional<Section> s = elf.section(".go.buildinfo");
        if (s.isPresent()) {
            return List.of(elf.data(s.get()));
        }
        List<ByteView> out = new ArrayList<>();
        for (ProgramHeader p : elf.programHeaders()) {
            if (p.isLoad() && (p.flags() & (ProgramHeader.PF_W | ProgramHeader.PF_X)) == ProgramHeader.PF_W && p.filesz() > 0) {
                out.add(elf.memory(p.vaddr()));
            }
        }
        return out;
    }

    /** The link-time address of byte {@code off} of {@code data}, which is file-backed. */
    private static long addressOf(ElfFile elf, ByteView data, long off) {
        long fileOff = data.fileOffset() + off;
        for (ProgramHeader p : elf.programHeaders()) {
            if (p.isLoad() && fileOff >= p.offset() && fileOff - p.offset() < p.filesz()) {
                return p.vaddr() + (fileOff - p.offset());
            }
        }
        throw data.error(off, "build info header is not in a loaded segment");
    }

    /** The reverse of {@code runtime/debug.BuildInfo.String}, as {@code ParseBuildInfo} reads it. */
    static BuildInfo parse(String version, String modinfo, ByteView where) {
        String path = "";
        Module main = null;
        List<Module> deps = new ArrayList<>();
        List<BuildSetting> settings = new ArrayList<>();
        // Which module a "=>" line replaces: 0 none, 1 main, 2 the last dependency.
        int last = 0;
        int lineNo = 0;
        for (String line : modinfo.split("\n", -1)) {
            lineNo++;
            try {
                if (line.startsWith("path\t")) {
                    path = line.substring(5);
                } else if (line.startsWith("mod\t")) {
                    main = module(line.substring(4));
                    last = 1;
                } else if (line.startsWith("dep\t")) {
                    deps.add(module(line.substring(4)));
                    last = 2;
                } else if (line.startsWith("=>\t")) {
                    String[] f = line.substring(3).split("\t", -1);
                    if (f.length != 3) {
                        throw new IllegalArgumentException("expected 3 columns for replacement, got " + f.length);
                    }
                    Module r = new Module(f[0], f[1], f[2], null);
                    if (last == 1) {
                        main = main.withReplace(r);
                    } else if (last == 2) {
                        deps.set(deps.size() - 1, deps.getLast().withReplace(r));
                    } else {
                        throw new IllegalArgumentException("replacement with no module on the previous line");
                    }
                    last = 0;
                } else if (line.startsWith("build\t")) {
                    settings.add(setting(line.substring(6)));
                }
            } catch (IllegalArgumentException e) {
                throw where.error(0, "malformed module information, line " + lineNo + ": " + e.getMessage());
            }
        }
        return new BuildInfo(version, path, main, deps, settings);
    }

    private static Module module(String columns) {
        String[] f = columns.split("\t", -1);
        if (f.length != 2 && f.length != 3) {
            throw new IllegalArgumentException("expected 2 or 3 columns, got " + f.length);
        }
        return new Module(f[0], f[1], f.length == 3 ? f[2] : "", null);
    }

    private static BuildSetting setting(String kv) {
        String key;
        String raw;
        if (kv.isEmpty() || kv.charAt(0) == '=') {
            throw new IllegalArgumentException("build line with missing key");
        }
        if (kv.charAt(0) == '"' || kv.charAt(0) == '`') {
            int n = GoQuote.prefixLength(kv);
            if (n < 0 || n == kv.length() || kv.charAt(n) != '=') {
                throw new IllegalArgumentException("malformed quoted key in build line");
            }
            key = GoQuote.unquote(kv.substring(0, n));
            raw = kv.substring(n + 1);
        } else {
            int eq = kv.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("build line missing '=' after key");
            }
            key = kv.substring(0, eq);
            raw = kv.substring(eq + 1);
        }
        String value = !raw.isEmpty() && (raw.charAt(0) == '"' || raw.charAt(0) == '`') ? GoQuote.unquote(raw) : raw;
        return new BuildSetting(key, value);
    }
}
