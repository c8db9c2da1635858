package dev.loupe.dwarf.line;

import dev.loupe.dwarf.info.DebugInfo;
import dev.loupe.dwarf.info.Die;
import dev.loupe.dwarf.info.DwAt;
import dev.loupe.dwarf.info.DwForm;
import dev.loupe.dwarf.info.Unit;
import dev.loupe.dwarf.internal.ByteView;

import java.util.ArrayList;
import java.util.List;

/**
 * A unit's line-number program ({@code .debug_line}, DWARF 4 and 5 §6.2): the header's file
 * table and the rows the program produces. Go's pclntab already maps pcs to lines for Go code;
 * this serves C units of cgo binaries, {@code DW_AT_decl_file} and cross-checks.
 *
 * @param version the line table version (2 to 5)
 * @param files   the file table; DWARF 5 numbers it from 0, earlier versions from 1 (index 0 is then "")
 * @param rows    the rows in program order (sequences are not merged or sorted)
 */
public record LineTable(int version, List<String> files, List<LineRow> rows) {
    private static final int DW_LNS_COPY = 1;
    private static final int DW_LNS_ADVANCE_PC = 2;
    private static final int DW_LNS_ADVANCE_LINE = 3;
    private static final int DW_LNS_SET_FILE = 4;
    private static final int DW_LNS_SET_COLUMN = 5;
    private static final int DW_LNS_NEGATE_STMT = 6;
    private static final int DW_LNS_SET_BASIC_BLOCK = 7;
    private static final int DW_LNS_CONST_ADD_PC = 8;
    private static final int DW_LNS_FIXED_ADVANCE_PC = 9;
    private static final int DW_LNE_END_SEQUENCE = 1;
    private static final int DW_LNE_SET_ADDRESS = 2;
    private static final int DW_LNE_DEFINE_FILE = 3;
    private static final int DW_LNCT_PATH = 1;
    private static final int DW_LNCT_DIRECTORY_INDEX = 2;
    /** More directory or file entries than any table has. */
    private static final int MAX_ENTRIES = 1 << 20;

    /** The file of index {@code i} (as {@code DW_AT_decl_file} and {@code DW_LNS_set_file} use it), or "". */
    public String file(long i) {
        return i >= 0 && i < files.size() ? files.get((int) i) : "";
    }

    /**
     * Reads the line table of unit {@code u} ({@code DW_AT_stmt_list} of its unit DIE).
     *
     * @param withRows false to read only the header (the file table)
     * @throws dev.loupe.dwarf.BinaryFormatException if the table is malformed
     */
    public static LineTable read(DebugInfo info, Unit u, boolean withRows) {
        Die cu = info.unitDie(u);
        if (!cu.has(DwAt.STMT_LIST)) {
            return new LineTable(0, List.of(), List.of());
        }
        ByteView v = info.required("line");
        long start = cu.raw(DwAt.STMT_LIST).orElseThrow();
        long p = start;
        long length = v.u32(p);
        int offsetSize = 4;
        p += 4;
        if (length == 0xffffffffL) {
            length = v.u64(p);
            offsetSize = 8;
            p += 8;
        }
        if (length < 0 || length > v.size() - p) {
            throw v.error(start, "line table length " + length + " is implausible");
        }
        long end = p + length;
        int version = v.u16(p);
        p += 2;
        if (version < 2 || version > 5) {
            throw v.error(start, "unsupported line table version " + version);
        }
        int addressSize = u.addressSize();
        if (version >= 5) {
            addressSize = v.u8(p);
            p += 2; // address_size, segment_selector_size
        }
        long headerLength = v.word(p, offsetSize);
        p += offsetSize;
        long program = p + headerLength;
        int minInsn = v.u8(p++);
        int maxOps = version >= 4 ? v.u8(p++) : 1;
        boolean defaultIsStmt = v.u8(p++) != 0;
        int lineBase = (byte) v.u8(p++);
        int lineRange = v.u8(p++);
        int opcodeBase = v.u8(p++);
        if (lineRange == 0 || maxOps == 0) {
            throw v.error(start, "line table with line_range " + lineRange + " and maximum_operations_per_instruction " + maxOps);
        }
        int[] standardLengths = new int[Math.max(opcodeBase, 1)];
        for (int i = 1; i < opcodeBase; i++) {
            standardLengths[i] = v.u8(p++);
        }
        List<String> dirs = new ArrayList<>();
        List<String> files = new ArrayList<>();
        long[] next = new long[1];
        if (version >= 5) {
            p = readEntries(info, u, v, p, offsetSize, dirs, null, next);
            p = readEntries(info, u, v, p, offsetSize, files, dirs, next);
        } else {
            String compDir = cu.string(DwAt.COMP_DIR).orElse("");
            dirs.add(compDir);
            while (v.u8(p) != 0) {
                String d = v.cString(p);
                p += d.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
                dirs.add(d);
                if (dirs.size() > MAX_ENTRIES) {
                    throw v.error(p, "too many directories");
                }
            }
            p++;
            files.add("");
            while (v.u8(p) != 0) {
                p = readV4File(v, p, dirs, files, next);
                if (files.size() > MAX_ENTRIES) {
                    throw v.error(p, "too many files");
                }
            }
        }
        if (!withRows) {
            return new LineTable(version, List.copyOf(files), List.of());
        }
        List<LineRow> rows = new ArrayList<>();
        long address = 0;
        long file = 1;
        long line = 1;
        long column = 0;
        boolean isStmt = defaultIsStmt;
        p = program;
        while (p < end) {
            int op = v.u8(p++);
            if (op >= opcodeBase) {
                int adjusted = op - opcodeBase;
                address += (long) (adjusted / lineRange) * minInsn / maxOps;
                line += lineBase + adjusted % lineRange;
                rows.add(new LineRow(address, name(files, file), line, column, isStmt, false));
                continue;
            }
            switch (op) {
                case 0 -> {
                    long len = v.uvarint(p, next);
                    p = next[0];
                    if (len == 0 || len > end - p) {
                        throw v.error(p, "extended opcode of length " + len);
                    }
                    long after = p + len;
                    int sub = v.u8(p);
                    switch (sub) {
                        case DW_LNE_END_SEQUENCE -> {
                            rows.add(new LineRow(address, name(files, file), line, column, isStmt, true));
                            address = 0;
                            file = 1;
                            line = 1;
                            column = 0;
                            isStmt = defaultIsStmt;
                        }
                        case DW_LNE_SET_ADDRESS -> address = v.word(p + 1, (int) Math.min(len - 1, addressSize));
                        case DW_LNE_DEFINE_FILE -> readV4File(v, p + 1, dirs, files, next);
                        default -> { } // vendor extensions: skipped by length
                    }
                    p = after;
                }
                case DW_LNS_COPY -> rows.add(new LineRow(address, name(files, file), line, column, isStmt, false));
                case DW_LNS_ADVANCE_PC -> {
                    address += v.uvarint(p, next) * minInsn / maxOps;
                    p = next[0];
                }
                case DW_LNS_ADVANCE_LINE -> {
                    line += v.svarint(p, next);
                    p = next[0];
                }
                case DW_LNS_SET_FILE -> {
                    file = v.uvarint(p, next);
                    p = next[0];
                }
                case DW_LNS_SET_COLUMN -> {
                    column = v.uvarint(p, next);
                    p = next[0];
                }
                case DW_LNS_NEGATE_STMT -> isStmt = !isStmt;
                case DW_LNS_SET_BASIC_BLOCK -> { }
                case DW_LNS_CONST_ADD_PC -> address += (long) ((255 - opcodeBase) / lineRange) * minInsn / maxOps;
                case DW_LNS_FIXED_ADVANCE_PC -> {
                    address += v.u16(p);
                    p += 2;
                }
                default -> { // an opcode this reader does not know: skip its LEB128 operands
                    for (int i = 0; i < standardLengths[op]; i++) {
                        v.uvarint(p, next);
                        p = next[0];
                    }
                }
            }
        }
        return new LineTable(version, List.copyOf(files), List.copyOf(rows));
    }

    private static String name(List<String> files, long i) {
        return i >= 0 && i < files.size() ? files.get((int) i) : "";
    }

    private static long readV4File(ByteView v, long p, List<String> dirs, List<String> files, long[] next) {
        String f = v.cString(p);
        p += f.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
        long dir = v.uvarint(p, next);
        v.uvarint(next[0], next); // modification time
        v.uvarint(next[0], next); // length
        files.add(join(dirs, dir, f));
        return next[0];
    }

    /** Reads a DWARF 5 entry-format list and its entries (§6.2.4.1); files are joined with {@code dirs}. */
    private static long readEntries(DebugInfo info, Unit u, ByteView v, long p, int offsetSize, List<String> out, List<String> dirs,
                                    long[] next) {
        int formatCount = v.u8(p++);
        long[] types = new long[formatCount];
        long[] forms = new long[formatCount];
        for (int i = 0; i < formatCount; i++) {
            types[i] = v.uvarint(p, next);
            forms[i] = v.uvarint(next[0], next);
            p = next[0];
        }
        long count = v.uvarint(p, next);
        p = next[0];
        if (count > MAX_ENTRIES) {
            throw v.error(p, count + " line table entries is implausible");
        }
        for (long n = 0; n < count; n++) {
            String path = "";
            long dir = 0;
            for (int i = 0; i < formatCount; i++) {
                long value;
                String s = null;
                switch ((int) forms[i]) {
                    case DwForm.STRING -> {
                        s = v.cString(p);
                        value = 0;
                        p += s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
                    }
                    case DwForm.LINE_STRP -> {
                        s = info.required("line_str").cString(v.word(p, offsetSize));
                        value = 0;
                        p += offsetSize;
                    }
                    case DwForm.STRP -> {
                        s = info.required("str").cString(v.word(p, offsetSize));
                        value = 0;
                        p += offsetSize;
                    }
                    case DwForm.UDATA -> {
                        value = v.uvarint(p, next);
                        p = next[0];
                    }
                    case DwForm.DATA1 -> value = v.u8(p++);
                    case DwForm.DATA2 -> {
                        value = v.u16(p);
                        p += 2;
                    }
                    case DwForm.DATA4 -> {
                        value = v.u32(p);
                        p += 4;
                    }
                    case DwForm.DATA8 -> {
                        value = v.u64(p);
                        p += 8;
                    }
                    case DwForm.DATA16 -> {
                        value = 0;
                        p += 16;
                    }
                    case DwForm.BLOCK -> {
                        long len = v.uvarint(p, next);
                        value = 0;
                        p = next[0] + len;
                    }
                    default -> throw v.error(p, "unsupported form 0x" + Long.toHexString(forms[i]) + " in a line table header of " + u);
                }
                if (types[i] == DW_LNCT_PATH && s != null) {
                    path = s;
                } else if (types[i] == DW_LNCT_DIRECTORY_INDEX) {
                    dir = value;
                }
            }
            out.add(dirs == null ? path : join(dirs, dir, path));
        }
        return p;
    }

    private static String join(List<String> dirs, long dir, String file) {
        if (file.startsWith("/") || dir < 0 || dir >= dirs.size() || dirs.get((int) dir).isEmpty()) {
            return file;
        }
        String d = dirs.get((int) dir);
        return d.endsWith("/") ? d + file : d + "/" + file;
    }
}
