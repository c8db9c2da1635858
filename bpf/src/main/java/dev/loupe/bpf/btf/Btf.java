package dev.loupe.bpf.btf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A parsed raw BTF blob, such as {@code /sys/kernel/btf/vmlinux}:
 * <pre>
 * struct btf_header { u16 magic = 0xeB9F; u8 version = 1; u8 flags; u32 hdr_len;
 *                     u32 type_off, type_len, str_off, str_len; }   // offsets from the end of the header
 * type section:   struct btf_type { u32 name_off; u32 info; u32 size_or_type; } + kind-specific data, id 1, 2, ...
 * string section: NUL-terminated names; offset 0 is the empty string
 * </pre>
 * Parsing checks every bound once, so that lookups afterwards cannot read outside the blob; malformed input
 * raises {@link BtfException} naming the offset, never another runtime exception, a hang or a huge allocation.
 * Instances are immutable and safe to share between threads.
 */
public final class Btf {
    /** The largest blob {@link #read} accepts; vmlinux BTF is a few MiB. */
    public static final int MAX_BYTES = 256 << 20;

    private static final int HEADER_BYTES = 24;
    private static final int TYPE_BYTES = 12;
    private static final int MAGIC = 0xeb9f;
    /** {@code BTF_MAX_TYPE}. */
    private static final int MAX_TYPES = 0x000f_ffff;
    /** Bound on typedef/qualifier chains and anonymous-member nesting; real kernels stay far below. */
    private static final int MAX_DEPTH = 64;

    private final ByteBuffer buf;
    private final int strStart;
    private final int strLen;
    /** Absolute offset of each type's {@code struct btf_type}, indexed by id; slot 0 (void) unused. */
    private final int[] offsets;

    private Btf(ByteBuffer buf, int strStart, int strLen, int[] offsets) {
        this.buf = buf;
        this.strStart = strStart;
        this.strLen = strLen;
        this.offsets = offsets;
    }

    /** Reads and parses a file, refusing anything larger than {@link #MAX_BYTES} without reading it all. */
    public static Btf read(Path path) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new BtfException(path + " is larger than " + (MAX_BYTES >> 20) + " MiB");
        }
        try {
            return parse(bytes);
        } catch (BtfException e) {
            throw new BtfException(path + ": " + e.getMessage());
        }
    }

    /** Parses a blob in either byte order (told by the magic). */
    public static Btf parse(byte[] bytes) {
        if (bytes.length < HEADER_BYTES) {
            throw BtfException.at(0, "truncated header: " + bytes.length + " bytes, need " + HEADER_BYTES);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = buf.getShort(0) & 0xffff;
        if (magic != MAGIC) {
            if (Integer.reverseBytes(magic) >>> 16 != MAGIC) {
                throw BtfException.at(0, String.format("bad magic 0x%04x, want 0x%04x", magic, MAGIC));
            }
            buf.order(ByteOrder.BIG_ENDIAN);
        }
        int version = buf.get(2) & 0xff;
        if (version != 1) {
            throw BtfException.at(2, "unsupported version " + version);
        }
        long hdrLen = u32(buf, 4);
        if (hdrLen < HEADER_BYTES || hdrLen > bytes.length) {
            throw BtfException.at(4, "header length " + hdrLen + " outside [" + HEADER_BYTES + ", " + bytes.length + "]");
        }
        int typeStart = section(buf, 8, hdrLen, bytes.length, "type");
        int typeEnd = typeStart + (int) u32(buf, 12);
        int strStart = section(buf, 16, hdrLen, bytes.length, "string");
        int strLen = (int) u32(buf, 20);
        if (strLen == 0 || buf.get(strStart) != 0) {
            throw BtfException.at(strStart, "string section must start with the empty string");
        }
        if (buf.get(strStart + strLen - 1) != 0) {
            throw BtfException.at(strStart + strLen - 1L, "string section does not end with NUL");
        }
        return new Btf(buf, strStart, strLen, index(buf, typeStart, typeEnd, strLen));
    }

    private static int section(ByteBuffer buf, int field, long hdrLen, int total, String what) {
        long start = hdrLen + u32(buf, field);
        long end = start + u32(buf, field + 4);
        if (end > total) {
            throw BtfException.at(field, what + " section [" + start + ", " + end + ") runs past the end of the "
                    + total + "-byte blob");
        }
        return (int) start;
    }

    /** Walks the type section once, checking every size, kind and name offset, and records where each type starts. */
    private static int[] index(ByteBuffer buf, int start, int end, int strLen) {
        int[] offsets = new int[Math.min(1024, (end - start) / TYPE_BYTES + 1)];
        int count = 0;
        long pos = start;
        while (pos < end) {
            int id = count + 1;
            if (id > MAX_TYPES) {
                throw BtfException.at(pos, "more than " + MAX_TYPES + " types");
            }
            if (pos + TYPE_BYTES > end) {
                throw BtfException.at(pos, "type id " + id + " truncated: " + (end - pos) + " bytes left in the type section");
            }
            int p = (int) pos;
            int info = buf.getInt(p + 4);
            int kindBits = info >>> 24 & 0x1f;
            BtfKind kind = BtfKind.of(kindBits)
                    .orElseThrow(() -> BtfException.at(p, "type id " + id + " has unknown kind " + kindBits));
            int vlen = info & 0xffff;
            long next = pos + TYPE_BYTES + kind.trailerBytes(vlen);
            if (next > end) {
                throw BtfException.at(pos, "type id " + id + " (" + kind + ", vlen " + vlen + ") runs " + (next - end)
                        + " bytes past the end of the type section");
            }
            checkName(buf, p, strLen);
            switch (kind) {
                case STRUCT, UNION, ENUM, ENUM64 -> checkNames(buf, p + TYPE_BYTES, vlen, kind == BtfKind.ENUM ? 8 : 12, strLen);
                case FUNC_PROTO -> checkNames(buf, p + TYPE_BYTES, vlen, 8, strLen);
                default -> { }
            }
            if (count + 1 == offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[++count] = p;
            pos = next;
        }
        return Arrays.copyOf(offsets, count + 1);
    }

    private static void checkNames(ByteBuffer buf, int first, int n, int stride, int strLen) {
        for (int i = 0; i < n; i++) {
            checkName(buf, first + i * stride, strLen);
        }
    }

    private static void checkName(ByteBuffer buf, int at, int strLen) {
        long nameOff = u32(buf, at);
        if (nameOff >= strLen) {
            throw BtfException.at(at, "name offset " + nameOff + " outside the " + strLen + "-byte string section");
        }
    }

    private static long u32(ByteBuffer buf, int at) {
        return buf.getInt(at) & 0xffff_ffffL;
    }

    // ---- lookups ----------------------------------------------------------------------------------------------

    /** The number of types, not counting void: valid ids are 0 to {@code typeCount()}. */
    public int typeCount() {
        return offsets.length - 1;
    }

    /** The kind of a type, without decoding it. */
    public BtfKind kind(int id) {
        return id == 0 ? BtfKind.VOID : BtfKind.of(info(id) >>> 24 & 0x1f).orElseThrow();
    }

    /** The name of a type, without decoding it; empty when anonymous. */
    public String name(int id) {
        return id == 0 ? "void" : string(buf.getInt(offset(id)));
    }

    /** Decodes one type. */
    public BtfType type(int id) {
        if (id == 0) {
            return new BtfType.Void();
        }
        int p = offset(id);
        int info = buf.getInt(p + 4);
        int vlen = info & 0xffff;
        boolean kindFlag = info < 0;
        String name = string(buf.getInt(p));
        int sizeOrType = buf.getInt(p + 8);
        long size = sizeOrType & 0xffff_ffffL;
        int t = p + TYPE_BYTES;
        BtfKind kind = kind(id);
        return switch (kind) {
            case INT -> {
                int enc = buf.getInt(t);
                yield new BtfType.Int(id, name, sizeOrType, enc >>> 24 & 0x0f, enc >>> 16 & 0xff, enc & 0xff);
            }
            case PTR -> new BtfType.Ptr(id, sizeOrType);
            case ARRAY -> new BtfType.Array(id, buf.getInt(t), buf.getInt(t + 4), u32(buf, t + 8));
            case STRUCT, UNION -> {
                List<BtfType.Member> members = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    int m = t + i * 12;
                    long off = u32(buf, m + 8);
                    members.add(kindFlag
                            ? new BtfType.Member(string(buf.getInt(m)), buf.getInt(m + 4), off & 0xff_ffff, (int) (off >>> 24))
                            : new BtfType.Member(string(buf.getInt(m)), buf.getInt(m + 4), off, 0));
                }
                yield new BtfType.Composite(id, name, kind == BtfKind.UNION, size, List.copyOf(members));
            }
            case ENUM, ENUM64 -> {
                boolean wide = kind == BtfKind.ENUM64;
                List<BtfType.Enumerator> values = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    int e = t + i * (wide ? 12 : 8);
                    long v = wide ? u32(buf, e + 4) | (long) buf.getInt(e + 8) << 32
                            : kindFlag ? buf.getInt(e + 4) : u32(buf, e + 4);
                    values.add(new BtfType.Enumerator(string(buf.getInt(e)), v));
                }
                yield new BtfType.Enum(id, name, size, kindFlag, wide, List.copyOf(values));
            }
            case FWD -> new BtfType.Fwd(id, name, kindFlag);
            case TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG -> new BtfType.Modifier(id, kind, name, sizeOrType);
            case FUNC -> new BtfType.Func(id, name, vlen, sizeOrType);
            case FUNC_PROTO -> {
                List<BtfType.Param> params = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    params.add(new BtfType.Param(string(buf.getInt(t + i * 8)), buf.getInt(t + i * 8 + 4)));
                }
                yield new BtfType.FuncProto(id, sizeOrType, List.copyOf(params));
            }
            case VAR -> new BtfType.Var(id, name, sizeOrType, buf.getInt(t));
            case DATASEC -> {
                List<BtfType.SecInfo> vars = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    int v = t + i * 12;
                    vars.add(new BtfType.SecInfo(buf.getInt(v), u32(buf, v + 4), u32(buf, v + 8)));
                }
                yield new BtfType.Datasec(id, name, size, List.copyOf(vars));
            }
            case FLOAT -> new BtfType.Float(id, name, size);
            case DECL_TAG -> new BtfType.DeclTag(id, name, sizeOrType, buf.getInt(t));
            case VOID -> throw new IllegalStateException("kind 0 is rejected by index()");
        };
    }

    /** The id of the first type with this name and kind, e.g. FUNC {@code bpf_iter_task}. */
    public OptionalInt findTypeId(String name, BtfKind kind) {
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        for (int id = 1; id < offsets.length; id++) {
            int p = offsets[id];
            if ((buf.getInt(p + 4) >>> 24 & 0x1f) == kind.value() && nameEquals(buf.getInt(p), wanted)) {
                return OptionalInt.of(id);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Finds a member of a named struct (or union) by a dotted path, e.g. {@code ("task_struct", "thread.sp")}.
     * Members of anonymous nested structs and unions are found as if they were direct members, as in C.
     * The member's bit offset is from the start of {@code structName}.
     */
    public Optional<BtfType.Member> findMember(String structName, String path) {
        OptionalInt id = findTypeId(structName, BtfKind.STRUCT);
        if (id.isEmpty()) {
            id = findTypeId(structName, BtfKind.UNION);
        }
        if (id.isEmpty()) {
            return Optional.empty();
        }
        int current = id.getAsInt();
        long base = 0;
        BtfType.Member found = null;
        for (String part : path.split("\\.", -1)) {
            if (part.isEmpty() || !(type(skipModifiers(current)) instanceof BtfType.Composite composite)) {
                return Optional.empty();
            }
            Optional<BtfType.Member> m = member(composite, part, base, 0);
            if (m.isEmpty()) {
                return Optional.empty();
            }
            found = m.get();
            base = found.bitOffset();
            current = found.type();
        }
        return Optional.ofNullable(found);
    }

    private Optional<BtfType.Member> member(BtfType.Composite composite, String name, long base, int depth) {
        if (depth > MAX_DEPTH) {
            throw new BtfException("type id " + composite.id() + ": anonymous members nested deeper than " + MAX_DEPTH);
        }
        for (BtfType.Member m : composite.members()) {
            long at = base + m.bitOffset();
            if (m.name().equals(name)) {
                return Optional.of(new BtfType.Member(m.name(), m.type(), at, m.bitfieldSize()));
            }
            if (m.name().isEmpty() && type(skipModifiers(m.type())) instanceof BtfType.Composite inner) {
                Optional<BtfType.Member> nested = member(inner, name, at, depth + 1);
                if (nested.isPresent()) {
                    return nested;
                }
            }
        }
        return Optional.empty();
    }

    /** Follows typedefs and qualifiers ({@code const}, {@code volatile}, {@code restrict}, type tags) to the underlying type. */
    public int skipModifiers(int id) {
        int current = id;
        for (int i = 0; i <= MAX_DEPTH; i++) {
            switch (kind(current)) {
                case TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG -> current = buf.getInt(offset(current) + 8);
                default -> {
                    return current;
                }
            }
        }
        throw new BtfException("type id " + id + ": typedef/qualifier chain longer than " + MAX_DEPTH + " (a cycle?)");
    }

    private int offset(int id) {
        if (id < 1 || id >= offsets.length) {
            throw new BtfException("no type id " + Integer.toUnsignedString(id) + ": the blob has " + typeCount() + " types");
        }
        return offsets[id];
    }

    private int info(int id) {
        return buf.getInt(offset(id) + 4);
    }

    /** The string at a name offset already checked by {@link #index}. */
    private String string(int nameOff) {
        int start = strStart + nameOff;
        int end = start;
        while (buf.get(end) != 0) {
            end++;
        }
        return new String(buf.array(), start, end - start, StandardCharsets.UTF_8);
    }

    private boolean nameEquals(int nameOff, byte[] wanted) {
        int start = strStart + nameOff;
        if (nameOff + wanted.length >= strLen) {
            return false;
        }
        for (int i = 0; i < wanted.length; i++) {
            if (buf.get(start + i) != wanted[i]) {
                return false;
            }
        }
        return buf.get(start + wanted.length) == 0;
    }
}
