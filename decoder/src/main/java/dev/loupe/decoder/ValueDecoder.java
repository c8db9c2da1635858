package dev.loupe.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.dwarf.godwarf.Field;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.Types;
import dev.loupe.dwarf.pclntab.Pclntab;
import dev.loupe.dwarf.runtime.RuntimeLayout;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Gives captured bytes their Go meaning: a value of a DWARF type at an address of the {@link Memory} becomes JSON,
 * in the shapes docs/snapshot-format.md documents ("Captured values"). What was not read shows as a marker object
 * saying why ({@code {"$missing": ...}}, {@code {"$truncated": ...}}), never as a wrong value; a pointer back to a
 * value being decoded is a {@code {"$cycle": address}}. In the raw form ({@link ValueForm#RAW}) what is reached
 * through a pointer also carries the pointer, as {@code {"$addr": address, "value": ...}}.
 */
final class ValueDecoder {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int MAX_NESTING = 64;
    /** Elements of a zero-size type take no memory, so what was read does not bound them: at most this many show. */
    private static final long MAX_ZERO_SIZE_ELEMENTS = 1024;
    /**
     * The most bytes one captured value decodes (values' sizes, strings' bytes), far beyond what a frame captures:
     * memory that several pointers share is decoded once for each, so pointers fanning out to shared memory level
     * after level would multiply without end.
     */
    private static final long MAX_VALUE_BYTES = 1 << 20;
    /** {@code reflect.Uint8}: the element kind of a []byte, which encoding/json writes as base64. */
    private static final int KIND_UINT8 = 8;
    /** {@code runtime.minTopHash}: tophash values below it mark empty or evacuated slots. */
    private static final int MIN_TOP_HASH = 5;
    /** {@code sameSizeGrow} in {@code hmap.flags}: the map grows into as many buckets, to undo overflow chains. */
    private static final int SAME_SIZE_GROW = 8;
    private static final long WALL_HAS_MONOTONIC = 1L << 63;
    private static final long WALL_TO_INTERNAL = (1884L * 365 + 1884 / 4 - 1884 / 100 + 1884 / 400) * 86400;
    private static final long UNIX_TO_INTERNAL = (1969L * 365 + 1969 / 4 - 1969 / 100 + 1969 / 400) * 86400;
    /** The seconds java.time writes dates for (years to ±999,999,999), a day in from each end for the zone's offset. */
    private static final long MIN_UNIX = LocalDateTime.MIN.toEpochSecond(ZoneOffset.UTC) + 86400;
    private static final long MAX_UNIX = LocalDateTime.MAX.toEpochSecond(ZoneOffset.UTC) - 86400;
    /** The largest zone offset java.time has; Go's FixedZone takes any. */
    private static final int MAX_OFFSET = 18 * 3600;

    private final Memory memory;
    private final GoDwarf dwarf;
    private final Types types;
    private final Pclntab pclntab;
    private final RuntimeLayout layout;
    private final int pointerDepth;
    /** The values reached through pointers on the way to the one being written. */
    private final Set<Visit> onPath = new HashSet<>();
    private int nesting;
    /** Bytes decoded of the captured value being decoded. */
    private long decoded;
    /**
     * The program read an interface's dynamic value as bytes, its type being beyond those the plan follows: what
     * its pointers lead to was not read.
     */
    static final String INSIDE_INTERFACE = "not captured: pointers inside values of this interface's dynamic type are not followed";
    private int insideInterface;
    private final Set<Long> followed;
    private final boolean addresses;

    /**
     * @param followed the runtime types whose values behind an interface the program read with their type (and so
     *                 followed their pointers); others it read as bytes
     * @param form     whether values carry their addresses
     */
    ValueDecoder(Memory memory, GoDwarf dwarf, Pclntab pclntab, RuntimeLayout layout, int pointerDepth, Set<Long> followed,
                 ValueForm form) {
        this.memory = memory;
        this.followed = Set.copyOf(followed);
        this.dwarf = dwarf;
        this.types = dwarf.types();
        this.pclntab = pclntab;
        this.layout = layout;
        this.pointerDepth = pointerDepth;
        this.addresses = form == ValueForm.RAW;
    }

    static ObjectNode missing(String why) {
        return JSON.objectNode().put("$missing", why);
    }

    /**
     * {@code v}, reached through the pointer {@code address}: in the raw form {@code {"$addr": address, "value": v}},
     * so that sharing and aliasing show; else {@code v} itself. A nil pointer reaches nothing: {@code v} as it is.
     */
    private JsonNode reached(long address, JsonNode v) {
        if (!addresses || address == 0) {
            return v;
        }
        ObjectNode o = JSON.objectNode().put("$addr", hex(address));
        o.set("value", v);
        return o;
    }

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    /** The value of type {@code t} at {@code address}; {@code depth} pointers were followed to get there. */
    JsonNode decode(GoType t, long address, int depth) {
        long size = types.sizeOf(t);
        if (size < 0) {
            return missing("the size of " + t.name() + " is unknown");
        }
        ByteBuffer b = memory.read(address, size);
        if (b == null) {
            int errno = memory.failure(address);
            return errno != 0 ? missing("unreadable at 0x" + Long.toHexString(address) + " (errno " + -errno + ")")
                    : missing(depth > pointerDepth ? "pointer depth " + pointerDepth + " reached"
                    : insideInterface > 0 ? INSIDE_INTERFACE : "not captured");
        }
        if (nesting > MAX_NESTING) {
            return missing("nested deeper than " + MAX_NESTING);
        }
        if (nesting == 0) {
            // A captured value starts: it has a budget of its own.
            decoded = 0;
        }
        if (spend(Math.max(1, size))) {
            return overBudget();
        }
        nesting++;
        try {
            return value(t, b, address, depth);
        } finally {
            nesting--;
        }
    }

    /** Counts {@code bytes} as decoded; true when that spends the value's budget. */
    private boolean spend(long bytes) {
        decoded += bytes;
        return decoded > MAX_VALUE_BYTES;
    }

    private static ObjectNode overBudget() {
        return missing("not decoded: the value passed " + MAX_VALUE_BYTES + " bytes, memory shared by its pointers counted for each");
    }

    private record Visit(long address, long type) {}

    /**
     * What {@code read} makes of the value of type {@code t} at {@code address}, reached through a pointer (a pointer's,
     * an interface's data word, a map's or channel's header): a cycle only closes through one, so this is where a
     * value already being written is met again, and written as a {@code $cycle} instead.
     */
    private JsonNode follow(long address, GoType t, Supplier<JsonNode> read) {
        Visit v = new Visit(address, t.offset());
        if (!onPath.add(v)) {
            return JSON.objectNode().put("$cycle", "0x" + Long.toHexString(address));
        }
        try {
            return read.get();
        } finally {
            onPath.remove(v);
        }
    }

    private JsonNode value(GoType declared, ByteBuffer b, long address, int depth) {
        if (declared.name().equals("time.Time")) {
            return time(b, depth);
        }
        if (declared.name().equals("time.Duration")) {
            long ns = b.getLong(0);
            return JSON.objectNode().put("duration", GoDuration.format(ns)).put("ns", ns);
        }
        GoType t = types.underlying(declared);
        return switch (t) {
            case GoType.Basic basic -> basic(basic, b);
            // An empty string reaches no bytes, whatever its data word holds.
            case GoType.StringType s -> reached(b.getLong(8) == 0 ? 0 : b.getLong(0), string(b.getLong(0), b.getLong(8), false));
            case GoType.Pointer p -> {
                long target = b.getLong(0);
                if (target == 0) {
                    yield JSON.nullNode();
                }
                if (p.elem().isEmpty()) {
                    yield addresses ? JSON.objectNode().put("$addr", hex(target)) : JSON.textNode("0x" + Long.toHexString(target));
                }
                GoType elem = types.get(p.elem().get());
                yield reached(target, follow(target, elem, () -> decode(elem, target, depth + 1)));
            }
            case GoType.Struct s -> {
                ObjectNode o = JSON.objectNode();
                for (Field f : s.fields()) {
                    GoType ft = types.get(f.type());
                    long fs = types.sizeOf(ft);
                    if (fs < 0 || f.offset() + fs > b.capacity()) {
                        o.set(f.name(), missing("field outside the struct's bytes"));
                    } else {
                        o.set(f.name(), decode(ft, address + f.offset(), depth));
                    }
                }
                yield o;
            }
            case GoType.Array a -> {
                GoType elem = types.get(a.elem());
                long es = types.sizeOf(elem);
                ArrayNode arr = JSON.arrayNode();
                for (long i = 0; i < a.count() && es >= 0; i++) {
                    arr.add(decode(elem, address + i * es, depth));
                }
                yield arr;
            }
            case GoType.Slice s -> reached(b.getLong(0), slice(s, b.getLong(0), b.getLong(8), b.getLong(16), depth));
            case GoType.Interface i -> iface(i, b, depth);
            case GoType.MapType m -> {
                long header = b.getLong(0);
                if (header == 0) {
                    yield JSON.nullNode();
                }
                JsonNode entries = follow(header, m, () -> switch (layout.map()) {
                    case RuntimeLayout.SwissMap sm -> swissMap(m, sm, header, depth + 1);
                    case RuntimeLayout.Hmap hm -> bucketMap(m, hm, header, depth + 1);
                });
                if (entries != null) {
                    yield reached(header, entries);
                }
                ObjectNode o = missing("map entries are not captured yet");
                OptionalLong count = countOf(header);
                count.ifPresent(n -> o.put("len", n));
                yield reached(header, o);
            }
            case GoType.Chan c -> {
                long hchan = b.getLong(0);
                if (hchan == 0) {
                    yield JSON.nullNode();
                }
                ByteBuffer h = memory.read(hchan, layout.hchan().size());
                if (h == null) {
                    yield reached(hchan, missing("the channel's header was not captured"));
                }
                RuntimeLayout.Hchan hl = layout.hchan();
                long qcount = h.getLong((int) hl.qcount());
                long dataqsiz = h.getLong((int) hl.dataqsiz());
                ObjectNode o = JSON.objectNode().put("len", qcount).put("cap", dataqsiz);
                o.set("items", follow(hchan, c, () -> items(types.get(c.elem()), h.getLong((int) hl.buf()), qcount, dataqsiz,
                        h.getLong((int) hl.recvx()), depth + 1)));
                yield reached(hchan, o);
            }
            case GoType.Func f -> {
                long closure = b.getLong(0);
                if (closure == 0) {
                    yield JSON.nullNode();
                }
                var code = memory.word(closure);
                if (code.isEmpty()) {
                    yield reached(closure, missing("the closure was not captured"));
                }
                var fn = pclntab.functionAt(code.getAsLong());
                yield reached(closure, JSON.objectNode().put("func", fn.map(x -> x.name()).orElse("0x" + Long.toHexString(code.getAsLong()))));
            }
            case GoType.Typedef td -> missing("typedef cycle at " + td.name());
            case GoType.Unsupported u -> missing("type " + u.name() + " cannot be read: " + u.problem());
        };
    }

    private JsonNode basic(GoType.Basic t, ByteBuffer b) {
        int size = (int) t.size();
        // DW_ATE_*: boolean 2, complex_float 3, float 4, signed 5, signed_char 6, unsigned 7, unsigned_char 8.
        return switch (t.encoding()) {
            case 2 -> JSON.booleanNode(b.get(0) != 0);
            case 3 -> size == 8 ? JSON.objectNode().put("real", b.getFloat(0)).put("imag", b.getFloat(4))
                    : JSON.objectNode().put("real", b.getDouble(0)).put("imag", b.getDouble(8));
            case 4 -> size == 4 ? floatNode(b.getFloat(0)) : floatNode(b.getDouble(0));
            case 5, 6 -> JSON.numberNode(switch (size) {
                case 1 -> (long) b.get(0);
                case 2 -> (long) b.getShort(0);
                case 4 -> (long) b.getInt(0);
                default -> b.getLong(0);
            });
            case 7, 8 -> switch (size) {
                case 1 -> JSON.numberNode((long) Byte.toUnsignedInt(b.get(0)));
                case 2 -> JSON.numberNode((long) Short.toUnsignedInt(b.getShort(0)));
                case 4 -> JSON.numberNode(Integer.toUnsignedLong(b.getInt(0)));
                default -> b.getLong(0) >= 0 ? JSON.numberNode(b.getLong(0))
                        : JSON.numberNode(new BigInteger(Long.toUnsignedString(b.getLong(0))));
            };
            default -> missing("DWARF base type encoding " + t.encoding() + " of " + t.name());
        };
    }

    private static JsonNode floatNode(double d) {
        if (Double.isNaN(d)) {
            return JSON.textNode("NaN");
        }
        if (Double.isInfinite(d)) {
            return JSON.textNode(d > 0 ? "+Inf" : "-Inf");
        }
        return JSON.numberNode(d);
    }

    private static JsonNode floatNode(float f) {
        return Float.isFinite(f) ? JSON.numberNode(f) : floatNode((double) f);
    }

    /** A string of {@code len} bytes at {@code data}: as captured, or truncated with its length. */
    private JsonNode string(long data, long len, boolean base64) {
        if (len == 0) {
            return JSON.textNode("");
        }
        if (len < 0) {
            return missing("a string of negative length " + len);
        }
        long have = Math.min(len, memory.available(data));
        if (have == 0) {
            return missing(insideInterface > 0 ? INSIDE_INTERFACE : "the string's " + len + " bytes were not captured");
        }
        if (spend(have)) {
            return overBudget();
        }
        ByteBuffer bytes = memory.read(data, have);
        byte[] raw = new byte[(int) have];
        bytes.get(0, raw);
        JsonNode text = base64 ? JSON.textNode(Base64.getEncoder().encodeToString(raw))
                : JSON.textNode(new String(raw, StandardCharsets.UTF_8));
        if (have == len) {
            return text;
        }
        ObjectNode o = JSON.objectNode().put("$truncated", "bytes").put("len", len);
        o.set("value", text);
        return o;
    }

    private JsonNode slice(GoType.Slice s, long data, long len, long cap, int depth) {
        if (data == 0) {
            return JSON.nullNode();
        }
        GoType elem = types.get(s.elem());
        GoType elemU = types.underlying(elem);
        long es = types.sizeOf(elem);
        if (elemU instanceof GoType.Basic basic && basic.size() == 1 && basic.goKind() == KIND_UINT8) {
            JsonNode v = string(data, len, true);
            return v;
        }
        if (len < 0 || cap < len || es < 0) {
            return missing("a slice header with len " + len + " and cap " + cap);
        }
        ArrayNode arr = JSON.arrayNode();
        long have = Math.min(len, es == 0 ? MAX_ZERO_SIZE_ELEMENTS : memory.available(data) / es);
        for (long i = 0; i < have; i++) {
            arr.add(decode(elem, data + i * es, depth + 1));
        }
        if (have == len) {
            return arr;
        }
        ObjectNode o = JSON.objectNode().put("$truncated", "elements").put("len", len).put("cap", cap);
        o.set("value", arr);
        return o;
    }

    /** A channel's buffered items, oldest first: {@code qcount} of the ring of {@code dataqsiz} at {@code buf}, from {@code recvx}. */
    private JsonNode items(GoType elem, long buf, long qcount, long dataqsiz, long recvx, int depth) {
        long es = types.sizeOf(elem);
        if (qcount < 0 || qcount > dataqsiz || recvx < 0 || recvx >= Math.max(1, dataqsiz) || es < 0) {
            return missing("a channel header with len " + qcount + ", cap " + dataqsiz + " and recvx " + recvx);
        }
        // Items are in the slots read, whatever len the header claims (zero-size ones take no memory).
        long read = es == 0 ? Long.MAX_VALUE : memory.available(buf) / es;
        long shown = Math.min(qcount, es == 0 ? MAX_ZERO_SIZE_ELEMENTS : read);
        ArrayNode arr = JSON.arrayNode();
        for (long i = 0; i < shown; i++) {
            long slot = Long.remainderUnsigned(recvx + i, dataqsiz);
            arr.add(es == 0 ? JSON.objectNode() : slot < read ? decode(elem, buf + slot * es, depth) : missing("not captured"));
        }
        if (shown == qcount) {
            return arr;
        }
        ObjectNode o = JSON.objectNode().put("$truncated", "elements").put("len", qcount);
        o.set("value", arr);
        return o;
    }

    private JsonNode iface(GoType.Interface i, ByteBuffer b, int depth) {
        long first = b.getLong(0);
        long data = b.getLong(8);
        if (first == 0) {
            return JSON.nullNode();
        }
        boolean empty = types.get(i.implementation()).name().endsWith("eface");
        long typeAddress = first;
        if (!empty) {
            var t = memory.word(first + layout.itab().type());
            if (t.isEmpty()) {
                return missing("the interface's itab was not captured");
            }
            typeAddress = t.getAsLong();
        }
        Optional<GoType> dynamic = dwarf.typeAtAddress(typeAddress);
        if (dynamic.isEmpty()) {
            return missing("no DWARF type for the runtime type at 0x" + Long.toHexString(typeAddress));
        }
        ObjectNode o = JSON.objectNode().put("type", dynamic.get().name());
        if (addresses) {
            // The type word: a non-empty interface's itab, an empty one's runtime type (which an itab also names).
            if (!empty) {
                o.put("$itab", hex(first));
            }
            o.put("$type", hex(typeAddress));
        }
        int opaque = followed.contains(typeAddress) ? 0 : 1;
        if (types.pointerShaped(dynamic.get())) {
            // A pointer-shaped value is the data word itself.
            ByteBuffer word = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, data);
            insideInterface += opaque;
            try {
                o.set("value", value(dynamic.get(), word, -1, depth));
            } finally {
                insideInterface -= opaque;
            }
        } else {
            insideInterface += opaque;
            try {
                o.set("value", reached(data, follow(data, dynamic.get(), () -> decode(dynamic.get(), data, depth + 1))));
            } finally {
                insideInterface -= opaque;
            }
        }
        return o;
    }

    /**
     * A swiss map's entries ({@code internal/runtime/maps}): the group of a small map, or every group of every table
     * of the directory; a slot is full when its control byte's high bit is clear. Keys of string, integer and bool
     * kinds make an object (keyed as encoding/json would); others an array of {@code {"key", "value"}}. Null when
     * the group type is not in the DWARF (then only the length is given).
     */
    private JsonNode swissMap(GoType.MapType m, RuntimeLayout.SwissMap sm, long header, int depth) {
        GoType key = types.get(m.key());
        GoType elem = types.get(m.elem());
        var group = types.byName("noalg.map.group[" + key.name() + "]" + elem.name());
        if (group.isEmpty() || !(types.underlying(group.get()) instanceof GoType.Struct g) || g.field("slots").isEmpty()
                || !(types.underlying(types.get(g.field("slots").get().type())) instanceof GoType.Array slots)
                || !(types.underlying(types.get(slots.elem())) instanceof GoType.Struct slot)
                || slot.field("key").isEmpty() || slot.field("elem").isEmpty()) {
            return null;
        }
        ByteBuffer h = memory.read(header, sm.size());
        if (h == null) {
            return missing("the map's header was not captured");
        }
        long used = h.getLong((int) sm.used());
        long dirPtr = h.getLong((int) sm.dirPtr());
        long dirLen = h.getLong((int) sm.dirLen());
        long groupSize = g.size();
        long slotsAt = g.field("slots").get().offset();
        long slotSize = types.sizeOf(types.get(slots.elem()));
        Set<Long> groups = new LinkedHashSet<>();
        if (dirLen == 0) {
            groups.add(dirPtr);
        } else {
            Set<Long> tables = new LinkedHashSet<>();
            // The directory and each table's groups were read in one piece: the first word or group not captured
            // ends them, whatever length their header claims.
            for (long i = 0; i < dirLen && memory.word(dirPtr + i * 8).isPresent(); i++) {
                tables.add(memory.word(dirPtr + i * 8).getAsLong());
            }
            for (long table : tables) {
                ByteBuffer tb = memory.read(table + sm.tableGroups(), 16);
                if (tb == null) {
                    continue;
                }
                long data = tb.getLong((int) sm.groupsData());
                long n = tb.getLong((int) sm.groupsLengthMask()) + 1;
                for (long i = 0; i < n && memory.read(data + i * groupSize, groupSize) != null; i++) {
                    groups.add(data + i * groupSize);
                }
            }
        }
        List<long[]> slotsFound = new ArrayList<>();
        for (long at : groups) {
            // Only whole groups: the map limit may cut the last one read.
            if (memory.read(at, groupSize) == null) {
                continue;
            }
            long ctrl = memory.word(at).getAsLong();
            for (int i = 0; i < 8; i++) {
                // A full slot's control byte has its high bit clear.
                if ((ctrl >>> (8 * i) & 0x80) == 0) {
                    long slotAt = at + slotsAt + i * slotSize;
                    slotsFound.add(new long[] {slotAt + slot.field("key").get().offset(), slotAt + slot.field("elem").get().offset()});
                }
            }
        }
        return entries(key, elem, slotsFound, used, depth);
    }

    /**
     * A bucket map's entries ({@code runtime.hmap}): 2^B buckets ({@code bucket<K,V>}: tophash, keys, values,
     * overflow) and their overflow chains; a slot is full when its tophash is at least {@code minTopHash} (5).
     * While the map grows, the entries not yet moved are in {@code oldbuckets} (2^(B-1) of them, or 2^B for a
     * same-size grow): moving an entry marks its old slot evacuated (a tophash below minTopHash), so the full
     * slots of both arrays are the map's entries, each once.
     */
    private JsonNode bucketMap(GoType.MapType m, RuntimeLayout.Hmap hm, long header, int depth) {
        GoType key = types.get(m.key());
        GoType elem = types.get(m.elem());
        var bucket = types.byName("bucket<" + key.name() + "," + elem.name() + ">");
        if (bucket.isEmpty() || !(types.underlying(bucket.get()) instanceof GoType.Struct b) || b.field("keys").isEmpty()
                || b.field("values").isEmpty() || b.field("overflow").isEmpty()
                || !(types.underlying(types.get(b.field("keys").get().type())) instanceof GoType.Array keys)
                || !(types.underlying(types.get(b.field("values").get().type())) instanceof GoType.Array values)) {
            return null;
        }
        ByteBuffer h = memory.read(header, hm.size());
        if (h == null) {
            return missing("the map's header was not captured");
        }
        long count = h.getLong((int) hm.count());
        int bShift = Byte.toUnsignedInt(h.get((int) hm.b()));
        boolean sameSizeGrow = (h.get((int) hm.flags()) & SAME_SIZE_GROW) != 0;
        GoType keyType = types.get(keys.elem());
        GoType valueType = types.get(values.elem());
        List<long[]> slotsFound = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        bucketSlots(b, keyType, valueType, h.getLong((int) hm.buckets()), bShift, slotsFound, seen);
        bucketSlots(b, keyType, valueType, h.getLong((int) hm.oldbuckets()), sameSizeGrow ? bShift : bShift - 1, slotsFound, seen);
        return entries(keyType, valueType, slotsFound, count, depth);
    }

    /** The full slots (key and value addresses) of 2^{@code shift} buckets at {@code buckets}, overflow buckets included. */
    private void bucketSlots(GoType.Struct b, GoType keyType, GoType valueType, long buckets, int shift, List<long[]> out, Set<Long> seen) {
        long ks = types.sizeOf(keyType);
        long vs = types.sizeOf(valueType);
        // The 2^shift buckets were read in one piece: the first not captured ends them, whatever B claims.
        for (long i = 0; buckets != 0 && shift >= 0 && shift < 31 && i < 1L << shift
                && memory.read(buckets + i * b.size(), b.size()) != null; i++) {
            for (long at = buckets + i * b.size(); at != 0 && seen.add(at); ) {
                ByteBuffer bb = memory.read(at, b.size());
                if (bb == null) {
                    break;
                }
                for (int slot = 0; slot < 8; slot++) {
                    if (Byte.toUnsignedInt(bb.get(slot)) >= MIN_TOP_HASH) {
                        out.add(new long[] {at + b.field("keys").get().offset() + slot * ks, at + b.field("values").get().offset() + slot * vs});
                    }
                }
                at = bb.getLong((int) b.field("overflow").get().offset());
            }
        }
    }

    /**
     * The entries at {@code slots} (key and value addresses) of a map of {@code count}: an object for keys of
     * string, integer and bool kinds (keyed as encoding/json keys them), else an array of {@code {"key", "value"}};
     * a {@code $truncated} marker around them when fewer than {@code count} were read.
     */
    private JsonNode entries(GoType key, GoType elem, List<long[]> slots, long count, int depth) {
        boolean keyed = types.underlying(key) instanceof GoType.StringType
                || types.underlying(key) instanceof GoType.Basic kb && kb.encoding() != 3 && kb.encoding() != 4;
        ObjectNode object = JSON.objectNode();
        ArrayNode array = JSON.arrayNode();
        for (long[] s : slots) {
            JsonNode k = decode(key, s[0], depth);
            JsonNode v = decode(elem, s[1], depth);
            if (keyed) {
                // An object's key cannot carry an address: a raw string key is its text alone.
                JsonNode text = addresses && k.has("$addr") ? k.get("value") : k;
                object.set(text.isValueNode() ? text.asText() : text.toString(), v);
            } else {
                ObjectNode e = JSON.objectNode();
                e.set("key", k);
                e.set("value", v);
                array.add(e);
            }
        }
        JsonNode entries = keyed ? object : array;
        if (slots.size() == count) {
            return entries;
        }
        ObjectNode o = JSON.objectNode().put("$truncated", "entries").put("len", count);
        o.set("value", entries);
        return o;
    }

    /** The entry count of a map from its runtime header ({@code hmap.count}, {@code maps.Map.used}). */
    private OptionalLong countOf(long header) {
        return memory.word(header + mapCountOffset(layout));
    }

    /** Where a map's runtime header keeps its entry count: {@code hmap.count} or {@code maps.Map.used}. */
    static long mapCountOffset(RuntimeLayout layout) {
        return switch (layout.map()) {
            case RuntimeLayout.Hmap h -> h.count();
            case RuntimeLayout.SwissMap m -> m.used();
        };
    }

    /** A {@code time.Time} ({@code wall}, {@code ext}, {@code loc}) as an RFC 3339 string in its zone's offset. */
    private JsonNode time(ByteBuffer b, int depth) {
        RuntimeLayout.Time tl = layout.time();
        long wall = b.getLong((int) tl.wall());
        long ext = b.getLong((int) tl.ext());
        long nsec = wall & ((1L << 30) - 1);
        long sec;
        if ((wall & WALL_HAS_MONOTONIC) != 0) {
            sec = WALL_TO_INTERNAL + ((wall << 1) >>> 31);
        } else {
            sec = ext;
        }
        long unix = sec - UNIX_TO_INTERNAL;
        if (unix < MIN_UNIX || unix > MAX_UNIX) {
            return missing("a time.Time " + unix + " s from 1970, beyond the years written as text");
        }
        long loc = b.getLong((int) tl.loc());
        int offset = loc == 0 ? 0 : zoneOffset(loc, unix);
        Instant instant = Instant.ofEpochSecond(unix, nsec);
        return JSON.textNode(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.ofTotalSeconds(offset))));
    }

    /**
     * The offset of a {@code *time.Location} at the time: its cached zone when the time is in the cache's range
     * (which a FixedZone's always is), else UTC's, since walking the zone transitions is not done here; UTC's too
     * for an offset beyond java.time's ±18 h (the same instant, written in UTC).
     */
    private int zoneOffset(long loc, long unix) {
        Optional<GoType> location = types.byName("time.Location");
        if (location.isEmpty() || !(types.underlying(location.get()) instanceof GoType.Struct s)) {
            return 0;
        }
        Optional<Field> cacheStart = s.field("cacheStart");
        Optional<Field> cacheEnd = s.field("cacheEnd");
        Optional<Field> cacheZone = s.field("cacheZone");
        if (cacheStart.isEmpty() || cacheEnd.isEmpty() || cacheZone.isEmpty()) {
            return 0;
        }
        var start = memory.word(loc + cacheStart.get().offset());
        var end = memory.word(loc + cacheEnd.get().offset());
        var zone = memory.word(loc + cacheZone.get().offset());
        if (start.isEmpty() || end.isEmpty() || zone.isEmpty() || zone.getAsLong() == 0
                || unix < start.getAsLong() || unix >= end.getAsLong()) {
            return 0;
        }
        Optional<GoType> zoneType = types.byName("time.zone");
        if (zoneType.isEmpty() || !(types.underlying(zoneType.get()) instanceof GoType.Struct z) || z.field("offset").isEmpty()) {
            return 0;
        }
        ByteBuffer off = memory.read(zone.getAsLong() + z.field("offset").get().offset(), 8);
        long offset = off == null ? 0 : off.getLong(0);
        return offset < -MAX_OFFSET || offset > MAX_OFFSET ? 0 : (int) offset;
    }
}
