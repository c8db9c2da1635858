package dev.loupe.decoder.fuzz;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.godwarf.Field;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.Types;
import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.probegen.CaptureRecord;
import dev.loupe.probegen.ir.CapturePlan;
import dev.loupe.probegen.spec.ResolvedSpec;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

/**
 * Capture records as the snapshot program would send them for made-up values of the spec's variables: each root's
 * value is laid out at its CFA-relative address, and whatever its pointers, strings, slices, interfaces, maps,
 * channels and funcs lead to in blocks of its own (up to the plan's pointer depth), so that words point back into
 * the chunks. Some pointers are nil, lead to a failed read (EFAULT), past the depth, or back to a value of their type
 * laid out before (cycles, shared values); long strings and slices are cut at the plan's limits. Chunks carry type
 * id 0 (the decoder does not read it). Deterministic: the values come from a seeded {@link Random}.
 */
final class CaptureSeeds {
    private static final long HEAP = 0xc000010000L;
    private static final long STACKS = 0xc000800000L;
    private static final int EFAULT = -14;
    /** time/time.go: seconds from year 1 to 1885 (wall's base) and to 1970. */
    private static final long WALL_TO_INTERNAL = (1884L * 365 + 1884 / 4 - 1884 / 100 + 1884 / 400) * 86400;
    private static final long UNIX_TO_INTERNAL = (1969L * 365 + 1969 / 4 - 1969 / 100 + 1969 / 400) * 86400;
    private static final String[] TEXTS = {"", "hello, loupe", "héllo, wörld — 日本語 🙂", "SELECT 1", "a", "\u0000\u00ff",
            "0123456789".repeat(60)};
    /** Dynamic types of empty interfaces, those the binary has. */
    private static final List<String> ANY_TYPES = List.of("main.Point", "*main.Point", "int", "string", "*main.QueryError",
            "main.Celsius", "[]interface {}", "map[string]int", "[]string", "*main.Node", "time.Time", "main.Employee",
            "float64", "bool", "[]uint8", "*main.Peer", "chan int", "func(int) int", "[3]int");

    private final GoDwarf dwarf;
    private final Types types;
    private final RuntimeLayout layout;
    private final CapturePlan plan;
    private final Random random;
    private final List<Long> funcs;
    private final List<Long> anyTypes = new ArrayList<>();
    private final Map<String, List<Long>> itabTypes = new HashMap<>();
    /** Every block laid out, by address. */
    private final TreeMap<Long, byte[]> blocks = new TreeMap<>();
    /** Chunks not yet in a record: address to bytes, or to null for a failed read. */
    private final Map<Long, byte[]> pending = new LinkedHashMap<>();
    /** Addresses of the values laid out, by type: what a pointer may lead back to. */
    private final Map<Long, List<Long>> byType = new HashMap<>();
    private long next = HEAP;

    private CaptureSeeds(GoBinary binary, CapturePlan plan, long seed) {
        this.dwarf = binary.dwarf();
        this.types = dwarf.types();
        this.layout = binary.runtimeLayout();
        this.plan = plan;
        this.random = new Random(seed);
        this.funcs = binary.pclntab().functions().stream().filter(f -> f.name().startsWith("main.")).map(Func::entry).toList();
        for (String name : ANY_TYPES) {
            types.byName(name).flatMap(t -> optional(dwarf.runtimeTypeAddress(t))).ifPresent(anyTypes::add);
        }
    }

    /**
     * The seeds: one record for each function of the spec, of its plan with the most roots, and one input with a
     * record for each, in one memory (later frames' values lead into earlier frames' chunks).
     */
    static Map<String, byte[]> all(GoBinary binary, ResolvedSpec spec, CapturePlan plan) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        CaptureSeeds shared = new CaptureSeeds(binary, plan, 0);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int fi = 0; fi < spec.functions().size(); fi++) {
            int function = fi;
            int best = IntStream.range(0, plan.plans().size())
                    .filter(p -> plan.plans().get(p).function() == function && plan.plans().get(p).inlineDepth() == 0)
                    .boxed().max(Comparator.comparingInt(p -> plan.plans().get(p).roots().size())).orElseThrow();
            String name = spec.functions().get(fi).function().name().replaceFirst("^main\\.", "")
                    .replace("[go.shape.", "-").replace("]", "");
            out.put("seed-" + name, new CaptureSeeds(binary, plan, fi + 1).frame(spec, best, fi, STACKS));
            all.writeBytes(shared.frame(spec, best, fi, STACKS + 0x1000L * (fi + 1)));
        }
        out.put("seed-all-frames", all.toByteArray());
        return out;
    }

    /** The record of a frame of plan {@code p} at {@code cfa}, of goroutine {@code goroutine}. */
    private byte[] frame(ResolvedSpec spec, int p, int goroutine, long cfa) {
        CapturePlan.FramePlan fp = plan.plans().get(p);
        for (CapturePlan.Root r : fp.roots()) {
            long at = r.pieces().isEmpty() ? cfa + r.cfaOffset() : r.assembledAddress(cfa);
            GoType t = spec.functions().get(fp.function()).captures().get(r.capture()).rootType();
            // Captures of one variable (x, len(x), x.f) share its slot.
            if (view(at, plan.types().get(r.type()).size()) == null) {
                block(at, plan.types().get(r.type()).size());
                write(t, at, 0);
            }
        }
        return record(goroutine, 1 + goroutine % 3, p, cfa);
    }

    private byte[] record(int goroutine, int frame, int p, long cfa) {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        for (Map.Entry<Long, byte[]> c : pending.entrySet()) {
            byte[] bytes = c.getValue();
            ByteBuffer h = ByteBuffer.allocate(CaptureRecord.CHUNK_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(0, c.getKey()).putInt(12, bytes == null ? EFAULT : bytes.length);
            chunks.writeBytes(h.array());
            if (bytes != null) {
                chunks.writeBytes(bytes);
                chunks.writeBytes(new byte[-bytes.length & 7]);
            }
        }
        ByteBuffer b = ByteBuffer.allocate(CaptureRecord.HEADER_BYTES + chunks.size()).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(CaptureRecord.INDEX, goroutine).putShort(CaptureRecord.FLAGS, (short) CaptureRecord.CAPTURE)
                .putShort(CaptureRecord.FRAME, (short) frame).putInt(CaptureRecord.PLAN, p)
                .putInt(CaptureRecord.DATA_BYTES, chunks.size()).putLong(CaptureRecord.CFA, cfa)
                .putInt(CaptureRecord.CHUNKS, pending.size());
        b.put(CaptureRecord.HEADER_BYTES, chunks.toByteArray());
        pending.clear();
        return b.array();
    }

    /** Lays out a value of type {@code declared} at {@code at}, inside a block; {@code depth} pointers led there. */
    private void write(GoType declared, long at, int depth) {
        if (declared.name().equals("time.Time")) {
            time(at, depth);
            return;
        }
        switch (types.underlying(declared)) {
            case GoType.Basic b -> basic(b, at);
            case GoType.StringType s -> string(at, plan.stringBytes());
            case GoType.Pointer p -> putLong(at, p.elem().isEmpty() ? random.nextLong() : pointerTo(types.get(p.elem().get()), depth));
            case GoType.Struct s -> {
                for (Field f : s.fields()) {
                    write(types.get(f.type()), at + f.offset(), depth);
                }
            }
            case GoType.Array a -> {
                GoType elem = types.get(a.elem());
                for (long i = 0; i < a.count(); i++) {
                    write(elem, at + i * types.sizeOf(elem), depth);
                }
            }
            case GoType.Slice s -> slice(types.get(s.elem()), at, depth);
            case GoType.Interface i -> iface(declared, i, at, depth);
            case GoType.MapType m -> putLong(at, map(m, depth));
            case GoType.Chan c -> putLong(at, chan(c, depth));
            case GoType.Func f -> putLong(at, closure());
            default -> { }
        }
    }

    private void basic(GoType.Basic b, long at) {
        ByteBuffer v = view(at, (int) b.size());
        // DW_ATE_*: boolean 2, complex_float 3, float 4; the others are integers.
        switch (b.encoding()) {
            case 2 -> v.put(0, (byte) random.nextInt(2));
            case 3, 4 -> {
                int part = b.encoding() == 3 ? (int) b.size() / 2 : (int) b.size();
                for (int i = 0; i < b.size(); i += part) {
                    if (part == 4) {
                        v.putFloat(i, (float) (random.nextGaussian() * 100));
                    } else {
                        v.putDouble(i, random.nextGaussian() * 1e6);
                    }
                }
            }
            default -> {
                long n = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(2000) - 1000;
                for (int i = 0; i < b.size(); i++) {
                    v.put(i, (byte) (n >>> (8 * i)));
                }
            }
        }
    }

    /** A string header at {@code at}, its bytes cut at {@code limit}. */
    private void string(long at, int limit) {
        byte[] text = TEXTS[random.nextInt(TEXTS.length)].getBytes(StandardCharsets.UTF_8);
        putLong(at + 8, text.length);
        putLong(at, text.length == 0 ? 0 : unreadableOr(() -> {
            long data = block(Math.min(text.length, limit));
            view(data, Math.min(text.length, limit)).put(0, text, 0, Math.min(text.length, limit));
            return data;
        }));
    }

    private void slice(GoType elem, long at, int depth) {
        int size = (int) types.sizeOf(elem);
        if (types.underlying(elem) instanceof GoType.Basic b && b.size() == 1) {
            string(at, plan.sliceBytes());
            putLong(at + 16, view(at, 16).getLong(8) + random.nextInt(4));
            return;
        }
        int len = switch (random.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 20 + random.nextInt(40);
            default -> 1 + random.nextInt(5);
        };
        putLong(at + 8, len);
        putLong(at + 16, len + random.nextInt(3));
        if (random.nextInt(8) == 0 || size <= 0) {
            putLong(at, random.nextInt(2) == 0 ? 0 : HEAP - 0x1000);
            return;
        }
        int captured = Math.min(len, plan.sliceBytes() / size);
        long data = block(captured * size);
        putLong(at, data);
        for (int i = 0; i < captured; i++) {
            write(elem, data + (long) i * size, depth + 1);
        }
    }

    /** An interface at {@code at}: nil, a typed nil, or a dynamic type of the binary's with its value. */
    private void iface(GoType declared, GoType.Interface i, long at, int depth) {
        boolean empty = types.get(i.implementation()).name().endsWith("eface");
        List<Long> candidates = empty ? anyTypes : itabTypes.computeIfAbsent(declared.name(), n -> dwarf.itabTypes(n).stream()
                .flatMap(t -> optional(dwarf.runtimeTypeAddress(t)).stream()).toList());
        if (candidates.isEmpty() || random.nextInt(8) == 0) {
            return;
        }
        long type = candidates.get(random.nextInt(candidates.size()));
        GoType dynamic = dwarf.typeAtAddress(type).orElseThrow();
        if (empty) {
            putLong(at, type);
        } else {
            long itab = block((int) layout.itab().size());
            putLong(itab + layout.itab().type(), type);
            putLong(at, itab);
        }
        if (random.nextInt(8) == 0) {
            return;
        }
        // Pointer-shaped values are the data word itself; others are behind it.
        putLong(at + 8, switch (types.underlying(dynamic)) {
            case GoType.Pointer p when p.elem().isPresent() -> pointerTo(types.get(p.elem().get()), depth);
            case GoType.MapType m -> map(m, depth);
            case GoType.Chan c -> chan(c, depth);
            case GoType.Func f -> closure();
            default -> {
                long data = block((int) types.sizeOf(dynamic));
                write(dynamic, data, depth + 1);
                yield data;
            }
        });
    }

    /** A pointer to a value of {@code elem}: a new one, one laid out before, nil, unreadable, or past the depth. */
    private long pointerTo(GoType elem, int depth) {
        long size = types.sizeOf(elem);
        List<Long> before = byType.getOrDefault(elem.offset(), List.of());
        if (size <= 0 || random.nextInt(10) == 0) {
            return 0;
        }
        if (!before.isEmpty() && random.nextInt(4) == 0) {
            return before.get(random.nextInt(before.size()));
        }
        if (depth >= plan.pointerDepth()) {
            return reserve(size);
        }
        return unreadableOr(() -> {
            long p = block((int) size);
            byType.computeIfAbsent(elem.offset(), k -> new ArrayList<>()).add(p);
            write(elem, p, depth + 1);
            return p;
        });
    }

    /**
     * A swiss map ({@code internal/runtime/maps}): a small one (its one group) or one with a directory of tables of
     * groups; slots full where their control byte's high bit is clear. Nil sometimes.
     */
    private long map(GoType.MapType m, int depth) {
        if (random.nextInt(8) == 0 || !(layout.map() instanceof RuntimeLayout.SwissMap sm)) {
            return 0;
        }
        GoType key = types.get(m.key());
        GoType elem = types.get(m.elem());
        long header = block((int) sm.size());
        Optional<GoType> group = types.byName("noalg.map.group[" + key.name() + "]" + elem.name());
        int entries = random.nextInt(4) == 0 ? 9 + random.nextInt(8) : random.nextInt(9);
        putLong(header + sm.used(), entries);
        if (group.isEmpty() || !(types.underlying(group.get()) instanceof GoType.Struct g)) {
            return header;
        }
        if (entries <= 8) {
            putLong(header + sm.dirPtr(), groups(g, 1, entries, depth));
            return header;
        }
        int dirLen = 1 << random.nextInt(2);
        // A table of a local depth below the global depth fills several directory slots.
        int tables = dirLen == 2 && random.nextBoolean() ? 1 : dirLen;
        long[] table = new long[tables];
        for (int i = 0; i < tables; i++) {
            table[i] = block((int) types.sizeOf(types.byName("internal/runtime/maps.table").orElseThrow()));
            int held = i < tables - 1 ? entries / tables : entries - entries / tables * (tables - 1);
            putLong(table[i] + sm.tableGroups() + sm.groupsData(), groups(g, 2, held, depth));
            putLong(table[i] + sm.tableGroups() + sm.groupsLengthMask(), 1);
        }
        long dir = block(8 * dirLen);
        for (int i = 0; i < dirLen; i++) {
            putLong(dir + 8L * i, table[i % tables]);
        }
        putLong(header + sm.dirPtr(), dir);
        putLong(header + sm.dirLen(), dirLen);
        return header;
    }

    /** {@code count} groups of type {@code g} holding {@code entries} entries in all. */
    private long groups(GoType.Struct g, int count, int entries, int depth) {
        GoType.Array slots = (GoType.Array) types.underlying(types.get(g.field("slots").orElseThrow().type()));
        GoType.Struct slot = (GoType.Struct) types.underlying(types.get(slots.elem()));
        Field key = slot.field("key").orElseThrow();
        Field elem = slot.field("elem").orElseThrow();
        long at = block((int) g.size() * count);
        for (int i = 0; i < 8 * count; i++) {
            long group = at + i / 8 * g.size();
            boolean full = i < entries;
            view(group, 8).put(i % 8, (byte) (full ? random.nextInt(0x80) : 0x80));
            long s = group + g.field("slots").get().offset() + (long) (i % 8) * slot.size();
            if (full) {
                write(types.get(key.type()), s + key.offset(), depth + 1);
                write(types.get(elem.type()), s + elem.offset(), depth + 1);
            }
        }
        return at;
    }

    /** A channel's {@code hchan} and ring buffer: {@code qcount} items from {@code recvx}. Nil sometimes. */
    private long chan(GoType.Chan c, int depth) {
        if (random.nextInt(8) == 0) {
            return 0;
        }
        RuntimeLayout.Hchan h = layout.hchan();
        GoType elem = types.get(c.elem());
        int size = (int) types.sizeOf(elem);
        int dataqsiz = random.nextInt(7);
        long qcount = dataqsiz == 0 ? 0 : random.nextInt(dataqsiz + 1);
        long hchan = block((int) h.size());
        putLong(hchan + h.qcount(), qcount);
        putLong(hchan + h.dataqsiz(), dataqsiz);
        putLong(hchan + h.recvx(), dataqsiz == 0 ? 0 : random.nextInt(dataqsiz));
        view(hchan + h.elemsize(), 2).putShort(0, (short) size);
        if (dataqsiz > 0 && size > 0) {
            long buf = block(dataqsiz * size);
            putLong(hchan + h.buf(), buf);
            for (int i = 0; i < dataqsiz; i++) {
                write(elem, buf + (long) i * size, depth + 1);
            }
        }
        return hchan;
    }

    /** A func value: a closure whose code pointer is the entry of one of the program's functions. Nil sometimes. */
    private long closure() {
        if (random.nextInt(6) == 0) {
            return 0;
        }
        long closure = block(8);
        putLong(closure, funcs.get(random.nextInt(funcs.size())));
        return closure;
    }

    /** A {@code time.Time}, with or without a monotonic reading, in UTC or in a zone its Location caches. */
    private void time(long at, int depth) {
        RuntimeLayout.Time tl = layout.time();
        long unix = 1_714_979_289L + random.nextInt(100_000_000);
        long nsec = random.nextInt(1_000_000_000);
        if (random.nextInt(2) == 0) {
            putLong(at + tl.wall(), nsec);
            putLong(at + tl.ext(), unix + UNIX_TO_INTERNAL);
        } else {
            putLong(at + tl.wall(), 1L << 63 | (unix + UNIX_TO_INTERNAL - WALL_TO_INTERNAL) << 30 | nsec);
            putLong(at + tl.ext(), random.nextLong(1L << 50));
        }
        if (random.nextInt(2) == 0) {
            return;
        }
        GoType.Struct location = (GoType.Struct) types.underlying(types.byName("time.Location").orElseThrow());
        GoType.Struct zone = (GoType.Struct) types.underlying(types.byName("time.zone").orElseThrow());
        long loc = block((int) location.size());
        write(location, loc, depth + 1);
        long z = block((int) zone.size());
        write(zone, z, depth + 1);
        putLong(z + zone.field("offset").orElseThrow().offset(), 900L * (random.nextInt(105) - 48));
        putLong(loc + location.field("cacheStart").orElseThrow().offset(), unix - random.nextInt(1000));
        putLong(loc + location.field("cacheEnd").orElseThrow().offset(), unix + 1 + random.nextInt(1000));
        putLong(loc + location.field("cacheZone").orElseThrow().offset(), z);
        putLong(at + tl.loc(), loc);
    }

    /** Where {@code lay} lays something out, or, once in a while, an address whose read failed. */
    private long unreadableOr(LongSupplier lay) {
        if (random.nextInt(12) == 0) {
            long at = reserve(8);
            pending.put(at, null);
            return at;
        }
        return lay.getAsLong();
    }

    /** A new block of {@code size} bytes on the heap, to be sent. */
    private long block(int size) {
        long at = reserve(size);
        block(at, size);
        return at;
    }

    private void block(long at, int size) {
        byte[] bytes = new byte[Math.max(1, size)];
        blocks.put(at, bytes);
        pending.put(at, bytes);
    }

    /** Heap addresses for a value of {@code size} bytes that is never read: what lies past the pointer depth. */
    private long reserve(long size) {
        long at = next;
        next += (size + 16 + 15) & ~15L;
        return at;
    }

    /** The {@code size} bytes at {@code at}, if a block holds them. */
    private ByteBuffer view(long at, int size) {
        Map.Entry<Long, byte[]> e = blocks.floorEntry(at);
        if (e == null || at - e.getKey() + size > e.getValue().length) {
            return null;
        }
        return ByteBuffer.wrap(e.getValue(), (int) (at - e.getKey()), size).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private void putLong(long at, long value) {
        view(at, 8).putLong(0, value);
    }

    private static Optional<Long> optional(OptionalLong v) {
        return v.isPresent() ? Optional.of(v.getAsLong()) : Optional.empty();
    }
}
