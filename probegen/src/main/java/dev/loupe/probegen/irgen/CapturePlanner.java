package dev.loupe.probegen.irgen;

import dev.loupe.dwarf.godwarf.Function;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.InlinedCall;
import dev.loupe.dwarf.godwarf.TypeRef;
import dev.loupe.dwarf.godwarf.Types;
import dev.loupe.dwarf.godwarf.Variable;
import dev.loupe.dwarf.loclist.PcRange;
import dev.loupe.dwarf.op.Location;
import dev.loupe.dwarf.pclntab.Pclntab;
import dev.loupe.probegen.ir.CapturePlan;
import dev.loupe.probegen.ir.ReadType;
import dev.loupe.probegen.spec.ResolvedCapture;
import dev.loupe.probegen.spec.ResolvedFunction;
import dev.loupe.probegen.spec.ResolvedSpec;
import dev.loupe.probegen.spec.Step;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns a resolved spec into a {@link CapturePlan}. Each function's code is cut where any captured variable's
 * location changes; in each piece, a capture reads its variable's stack slot (a location relative to the CFA: at a
 * call, which is where every frame but the innermost is, Go keeps nothing in registers). Pieces are keyed by return
 * address, which is one past the call the frame is in. What is read there follows the expression's path (a chain
 * of read types, one per step, whose pointers do not count toward the depth) and then the value's own type, whose
 * pointers do.
 */
public final class CapturePlanner {
    /** A package-qualified name in a type's name ({@code net/http.Request}): group 1 is the path's first element. */
    private static final Pattern QUALIFIED = Pattern.compile("([\\w.~-]+)(?:/[\\w.~-]+)*\\.\\w");
    private final GoDwarf dwarf;
    private final Pclntab pclntab;
    private final Types types;
    private final List<ReadType> readTypes = new ArrayList<>();
    private final List<List<ReadType.Slot>> pendingSlots = new ArrayList<>();
    private final Map<Long, Integer> valueTypes = new HashMap<>();
    private final Map<Long, Integer> dynamicTypes = new HashMap<>();
    /** The read type of each map or channel type's runtime header, with what it leads to, by the type's DIE. */
    private final Map<Long, Integer> headers = new HashMap<>();
    private final Set<String> interfacesDone = new HashSet<>();
    /** {@link #hasPointers} by type DIE. */
    private final Map<Long, Boolean> pointerful = new HashMap<>();
    /** Whether the plan reaches an empty interface, whose dynamic value can be of any type. */
    private boolean emptyInterfaceReached;
    /** Read types without pointers to follow, by name: runtime headers, closures. */
    private final Map<String, Integer> leafTypes = new HashMap<>();

    /** The plans and ranges made so far, and the pcs taken (by the first instance that claims them). */
    private final List<CapturePlan.FramePlan> plans = new ArrayList<>();
    private final Map<PlanKey, Integer> planIndex = new HashMap<>();
    private final List<CapturePlan.PcRange> ranges = new ArrayList<>();
    private final TreeMap<Long, Long> taken = new TreeMap<>(Long::compareUnsigned);
    private final List<CapturePlan.InnermostRange> innermost = new ArrayList<>();
    private final TreeMap<Long, Long> innermostTaken = new TreeMap<>(Long::compareUnsigned);

    /** Pieces of one function with the same reads share a plan. */
    private record PlanKey(int function, int inlineDepth, List<CapturePlan.Root> roots) {}

    private CapturePlanner(GoDwarf dwarf, Pclntab pclntab) {
        this.dwarf = dwarf;
        this.pclntab = pclntab;
        this.types = dwarf.types();
        readTypes.add(ReadType.BYTES);
        pendingSlots.add(List.of());
    }

    /**
     * The plan for {@code spec}, whose functions and expressions were resolved against {@code dwarf}.
     *
     * @param pclntab    the same binary's pclntab: the stack deltas that locate an innermost frame's CFA
     * @param frameBytes the most bytes captured per frame
     */
    public static CapturePlan plan(ResolvedSpec spec, GoDwarf dwarf, Pclntab pclntab, int frameBytes) {
        return new CapturePlanner(dwarf, pclntab).build(spec, frameBytes);
    }

    private CapturePlan build(ResolvedSpec spec, int frameBytes) {
        List<List<Integer>> rootTypes = new ArrayList<>();
        for (ResolvedFunction f : spec.functions()) {
            List<Integer> types = new ArrayList<>();
            for (ResolvedCapture c : f.captures()) {
                types.add(pathType(c));
            }
            rootTypes.add(types);
        }
        for (int fi = 0; fi < spec.functions().size(); fi++) {
            ResolvedFunction f = spec.functions().get(fi);
            List<List<Variable>> variables = f.captures().stream().map(ResolvedCapture::roots).toList();
            addInstance(fi, f, f.function(), f.function().ranges(), variables, 0, rootTypes.get(fi));
        }
        // Frames of spec functions inlined into others: their variables are in the enclosing function's frame,
        // described by the inlined call's own location lists.
        Map<String, Integer> byName = new HashMap<>();
        for (int fi = 0; fi < spec.functions().size(); fi++) {
            byName.put(spec.functions().get(fi).function().name(), fi);
        }
        for (Function g : dwarf.functions()) {
            for (InlinedCall call : dwarf.inlinedCalls(g)) {
                Integer fi = byName.get(call.function());
                if (fi == null) {
                    continue;
                }
                ResolvedFunction f = spec.functions().get(fi);
                List<List<Variable>> variables = f.captures().stream().map(c -> call.variables().stream()
                        .filter(v -> !c.roots().isEmpty() && v.name().equals(c.roots().getFirst().name())).toList()).toList();
                addInstance(fi, f, g, call.ranges(), variables, call.depth(), rootTypes.get(fi));
            }
        }
        if (emptyInterfaceReached) {
            emptyInterfaceTypes();
        }
        ranges.sort((x, y) -> Long.compareUnsigned(x.low(), y.low()));
        innermost.sort((x, y) -> Long.compareUnsigned(x.low(), y.low()));
        List<ReadType> finished = new ArrayList<>();
        for (int i = 0; i < readTypes.size(); i++) {
            ReadType t = readTypes.get(i);
            List<ReadType.Slot> slots = pendingSlots.get(i);
            finished.add(new ReadType(t.name(), t.size(), slots.size() > ReadType.MAX_SLOTS ? slots.subList(0, ReadType.MAX_SLOTS) : slots));
        }
        var limits = spec.spec().limits();
        return new CapturePlan(ranges, innermost, plans, finished, limits.stringBytes(), limits.sliceBytes(), limits.mapBytes(), limits.pointerDepth(),
                frameBytes, limits.snapshotBytes(), dynamicTypes);
    }

    /**
     * Adds the ranges and plans of one instance of spec function {@code fi}: its own code ({@code inlineDepth} 0),
     * or one of its calls inlined into {@code container} at that depth. Pieces that another instance took already
     * (a spec function inlined into another spec function) are left to it.
     */
    private void addInstance(int fi, ResolvedFunction f, Function container, List<PcRange> code, List<List<Variable>> variables,
                             int inlineDepth, List<Integer> rootTypes) {
        List<PcRange> pieces = pieces(code, variables);
        for (PcRange piece : pieces) {
            // A caller frame's pc is a return address, one past its call: the piece [low, high) of call pcs is the
            // return addresses (low, high]. The last of them, high, is where the next piece starts: a variable
            // passed in a register to the call, and thus in that register at the call by its location list, is in
            // its stack slot there, which the call cannot have changed (Go keeps nothing in registers across a
            // call), so that return address also tries the location after the call.
            long low = piece.low() + 1;
            long high = piece.high();
            if (isTaken(taken, low, high)) {
                continue;
            }
            if (Long.compareUnsigned(low, high) < 0) {
                List<CapturePlan.Root> roots = new ArrayList<>();
                for (int ci = 0; ci < f.captures().size(); ci++) {
                    CapturePlan.Root root = root(container, variables.get(ci), piece.low(), ci, rootTypes.get(ci), false);
                    if (root != null) {
                        roots.add(root);
                    }
                }
                addRange(fi, f, inlineDepth, roots, low, high);
            }
            List<CapturePlan.Root> atReturn = new ArrayList<>();
            for (int ci = 0; ci < f.captures().size(); ci++) {
                CapturePlan.Root root = root(container, variables.get(ci), high - 1, ci, rootTypes.get(ci), false);
                if (root == null && code.stream().anyMatch(r -> r.contains(high))) {
                    root = root(container, variables.get(ci), high, ci, rootTypes.get(ci), false);
                }
                if (root != null) {
                    atReturn.add(root);
                }
            }
            addRange(fi, f, inlineDepth, atReturn, high, high + 1);
        }
        addInnermost(fi, f, container, pieces, variables, inlineDepth, rootTypes);
    }

    /**
     * The ranges of the same instance as a running goroutine's innermost frame, whose pc is the instruction it
     * stopped at: the pieces cut again where the stack delta changes (the CFA is sp plus it), each variable read
     * where its location list puts it at that pc, a register included.
     */
    private void addInnermost(int fi, ResolvedFunction f, Function container, List<PcRange> pieces, List<List<Variable>> variables,
                              int inlineDepth, List<Integer> rootTypes) {
        if (pieces.isEmpty()) {
            return;
        }
        List<Pclntab.SpDelta> deltas = pclntab.spDeltas(pieces.getFirst().low());
        for (PcRange piece : pieces) {
            for (Pclntab.SpDelta d : deltas) {
                long low = Math.max(piece.low(), d.low());
                long high = Math.min(piece.high(), d.high());
                if (low >= high || d.delta() < 0 || isTaken(innermostTaken, low, high)) {
                    continue;
                }
                List<CapturePlan.Root> roots = new ArrayList<>();
                for (int ci = 0; ci < f.captures().size(); ci++) {
                    CapturePlan.Root root = root(container, variables.get(ci), low, ci, rootTypes.get(ci), true);
                    if (root != null) {
                        roots.add(root);
                    }
                }
                int p = planOf(fi, f, inlineDepth, roots);
                int cfaFromSp = d.delta() + 8;
                innermostTaken.put(low, high);
                if (!innermost.isEmpty() && innermost.getLast().plan() == p && innermost.getLast().high() == low
                        && innermost.getLast().cfaFromSp() == cfaFromSp) {
                    innermost.set(innermost.size() - 1, new CapturePlan.InnermostRange(innermost.getLast().low(), high, p, cfaFromSp));
                } else {
                    innermost.add(new CapturePlan.InnermostRange(low, high, p, cfaFromSp));
                }
            }
        }
    }

    /** Whether an instance added before took some of the pcs {@code [low, high)}. */
    private static boolean isTaken(TreeMap<Long, Long> taken, long low, long high) {
        var before = taken.floorEntry(high);
        return before != null && Long.compareUnsigned(before.getValue(), low) > 0;
    }

    /** The plan of these reads of this function's frames: a new one, or the same one made before. */
    private int planOf(int fi, ResolvedFunction f, int inlineDepth, List<CapturePlan.Root> roots) {
        // A frame with nothing available still gets its row, all NULL: the frame is data too.
        return planIndex.computeIfAbsent(new PlanKey(fi, inlineDepth, List.copyOf(roots)), k -> {
            plans.add(new CapturePlan.FramePlan(fi, f.function().name(), inlineDepth, k.roots()));
            return plans.size() - 1;
        });
    }

    /** One range of return addresses [low, high) with its plan (shared with any other range of the same reads). */
    private void addRange(int fi, ResolvedFunction f, int inlineDepth, List<CapturePlan.Root> roots, long low, long high) {
        int p = planOf(fi, f, inlineDepth, roots);
        taken.put(low, high);
        if (!ranges.isEmpty() && ranges.getLast().plan() == p && ranges.getLast().high() == low) {
            ranges.set(ranges.size() - 1, new CapturePlan.PcRange(ranges.getLast().low(), high, p));
        } else {
            ranges.add(new CapturePlan.PcRange(low, high, p));
        }
    }

    /** The code cut at every pc where a captured variable's location or scope starts or ends. */
    private static List<PcRange> pieces(List<PcRange> code, List<List<Variable>> variables) {
        TreeSet<Long> cuts = new TreeSet<>(Long::compareUnsigned);
        for (PcRange r : code) {
            cuts.add(r.low());
            cuts.add(r.high());
        }
        for (List<Variable> vs : variables) {
            for (Variable v : vs) {
                v.locations().forEach(e -> {
                    cuts.add(e.range().low());
                    cuts.add(e.range().high());
                });
                v.scope().forEach(s -> {
                    cuts.add(s.low());
                    cuts.add(s.high());
                });
            }
        }
        List<PcRange> out = new ArrayList<>();
        Long prev = null;
        for (long cut : cuts) {
            long at = prev == null ? 0 : prev;
            if (prev != null && code.stream().anyMatch(r -> r.contains(at))) {
                out.add(new PcRange(prev, cut));
            }
            prev = cut;
        }
        return out;
    }

    /**
     * Where the capture's variable is at {@code pc}: relative to the CFA, or, with {@code registers} (the innermost
     * frame of a running goroutine), in general-purpose registers too; null when it is in neither there.
     */
    private CapturePlan.Root root(Function f, List<Variable> variables, long pc, int capture, int type, boolean registers) {
        for (Variable v : variables) {
            if (!v.scope().isEmpty() && v.scope().stream().noneMatch(s -> s.contains(pc))) {
                continue;
            }
            Location at = dwarf.location(f, v, pc);
            if (at instanceof Location.CfaOffset o) {
                return new CapturePlan.Root(capture, o.offset(), type);
            }
            int size = readTypes.get(type).size();
            if (registers && at instanceof Location.Register r && isGeneralPurpose(r) && size <= 8) {
                return new CapturePlan.Root(capture, 0, type, List.of(new CapturePlan.Piece(0, r.dwarfRegister(), size, 0)));
            }
            // A multi-word value (string, slice, interface, complex) is described piece by piece: pieces in
            // consecutive stack slots are the value as usual; others the program puts together.
            if (at instanceof Location.Pieces p && !p.pieces().isEmpty() && p.pieces().stream().allMatch(x ->
                    x.location() instanceof Location.CfaOffset
                            || registers && x.location() instanceof Location.Register r && isGeneralPurpose(r) && x.size() <= 8)) {
                List<CapturePlan.Piece> pieces = new ArrayList<>();
                boolean contiguous = p.pieces().getFirst().location() instanceof Location.CfaOffset;
                long first = contiguous ? ((Location.CfaOffset) p.pieces().getFirst().location()).offset() : 0;
                int offset = 0;
                for (Location.Piece piece : p.pieces()) {
                    if (piece.location() instanceof Location.CfaOffset slot) {
                        contiguous &= slot.offset() == first + offset;
                        pieces.add(new CapturePlan.Piece(slot.offset(), (int) piece.size(), offset));
                    } else {
                        contiguous = false;
                        pieces.add(new CapturePlan.Piece(0, ((Location.Register) piece.location()).dwarfRegister(), (int) piece.size(), offset));
                    }
                    offset += (int) piece.size();
                }
                return contiguous ? new CapturePlan.Root(capture, first, type) : new CapturePlan.Root(capture, 0, type, pieces);
            }
        }
        return null;
    }

    /** ax to r15 (DWARF 0 to 15): the registers a stopped thread's saved state has; not the SSE ones. */
    private static boolean isGeneralPurpose(Location.Register r) {
        return r.dwarfRegister() >= 0 && r.dwarfRegister() < 16;
    }

    /** The read type of the capture's root: one per path step, ending with the value's own type. */
    private int pathType(ResolvedCapture c) {
        List<GoType> values = new ArrayList<>();
        GoType cur = c.rootType();
        for (Step s : c.path()) {
            values.add(cur);
            cur = switch (s) {
                case Step.Deref d -> d.pointee();
                case Step.FieldAt fa -> fa.type();
                case Step.Index ix -> ix.element();
                case Step.Len l -> cur;
                case Step.Cap k -> cur;
            };
        }
        // What the last step (or the root, without steps) leaves: the value, read with its own type.
        int next = c.path().isEmpty() || !(c.path().getLast() instanceof Step.Len || c.path().getLast() instanceof Step.Cap)
                ? valueType(cur) : lengthType(cur);
        for (int i = c.path().size() - 1; i >= 0; i--) {
            Step s = c.path().get(i);
            if (s instanceof Step.Len || s instanceof Step.Cap) {
                continue;
            }
            GoType before = values.get(i);
            int size = size(before);
            List<ReadType.Slot> slots = switch (s) {
                case Step.Deref d -> List.of(new ReadType.Slot(0, ReadType.SlotKind.POINTER, next, false));
                case Step.FieldAt fa -> shifted(readTypeSlots(next), fa.offset());
                case Step.Index ix when ix.through() == Step.Index.Kind.ARRAY ->
                        shifted(readTypeSlots(next), ix.index() * size(ix.element()));
                case Step.Index ix when ix.through() == Step.Index.Kind.SLICE ->
                        List.of(new ReadType.Slot(0, ReadType.SlotKind.SLICE, next, false));
                case Step.Index ix -> List.of(new ReadType.Slot(0, ReadType.SlotKind.STRING, 0, false));
                case Step.Len l -> List.of();
                case Step.Cap k -> List.of();
            };
            next = add(pathName(c, i), size, slots);
        }
        return next;
    }

    /** For len/cap of a map or channel: the runtime header behind the pointer; otherwise the value itself. */
    private int lengthType(GoType t) {
        GoType u = types.underlying(t);
        if (u instanceof GoType.MapType || u instanceof GoType.Chan) {
            return valueType(t);
        }
        return add(t.name(), size(t), List.of());
    }

    private String pathName(ResolvedCapture c, int step) {
        return c.spec().expr() + " (step " + step + ")";
    }

    private List<ReadType.Slot> readTypeSlots(int type) {
        return pendingSlots.get(type);
    }

    private int add(String name, int size, List<ReadType.Slot> slots) {
        readTypes.add(new ReadType(name, size, List.of()));
        pendingSlots.add(List.copyOf(slots));
        return readTypes.size() - 1;
    }

    /** The read type of a value of type {@code t}: its size and the pointers in it, which count toward the depth. */
    private int valueType(GoType t) {
        Integer known = valueTypes.get(t.offset());
        if (known != null) {
            return known;
        }
        int id = add(t.name(), size(t), List.of());
        valueTypes.put(t.offset(), id);
        List<ReadType.Slot> slots = new ArrayList<>();
        slotsOf(t, 0, slots, 0);
        pendingSlots.set(id, List.copyOf(slots));
        return id;
    }

    /** The pointer words of a value of type {@code t} at {@code base}, as far as {@link ReadType#MAX_SLOTS} allows. */
    private void slotsOf(GoType t, long base, List<ReadType.Slot> out, int nesting) {
        if (out.size() >= ReadType.MAX_SLOTS || nesting > 32) {
            return;
        }
        switch (types.underlying(t)) {
            case GoType.Pointer p when p.elem().isPresent() -> {
                GoType elem = types.get(p.elem().get());
                if (size(elem) > 0) {
                    out.add(new ReadType.Slot((int) base, ReadType.SlotKind.POINTER, valueType(elem), true));
                }
            }
            case GoType.StringType s -> out.add(new ReadType.Slot((int) base, ReadType.SlotKind.STRING, 0, true));
            case GoType.Slice s -> out.add(new ReadType.Slot((int) base, ReadType.SlotKind.SLICE, valueType(types.get(s.elem())), true));
            case GoType.Struct s -> {
                for (var f : s.fields()) {
                    slotsOf(types.get(f.type()), base + f.offset(), out, nesting + 1);
                }
            }
            case GoType.Array a -> {
                GoType elem = types.get(a.elem());
                long size = size(elem);
                // Elements without pointers have no slots: not a loop over each of a large array's.
                for (long i = 0; i < a.count() && size > 0 && out.size() < ReadType.MAX_SLOTS && hasPointers(elem, 0); i++) {
                    slotsOf(elem, base + i * size, out, nesting + 1);
                }
            }
            case GoType.Interface i -> {
                boolean empty = types.get(i.implementation()).name().endsWith("eface");
                out.add(new ReadType.Slot((int) base, empty ? ReadType.SlotKind.EFACE : ReadType.SlotKind.IFACE, 0, true));
                if (empty) {
                    emptyInterfaceReached = true;
                } else {
                    dynamicTypesOf(t);
                }
            }
            case GoType.MapType m -> map(m, base, out);
            case GoType.Chan c -> channel(c, base, out);
            // A func value points at its closure, whose first word is the code pointer: the function's name.
            case GoType.Func f -> out.add(new ReadType.Slot((int) base, ReadType.SlotKind.POINTER, leaf("funcval", 8), true));
            default -> { }
        }
    }

    /** A map or channel is a pointer to the runtime's header, which is read (for its length) but not followed. */
    private void implementation(TypeRef ref, long base, List<ReadType.Slot> out) {
        pointee(types.get(ref)).ifPresent(header ->
                out.add(new ReadType.Slot((int) base, ReadType.SlotKind.POINTER, leaf(header.name(), size(header)), true)));
    }

    /** What a pointer type points to (through typedefs); empty for another type or an unsafe.Pointer. */
    private Optional<GoType> pointee(GoType t) {
        return types.underlying(t) instanceof GoType.Pointer p ? p.elem().map(types::get) : Optional.empty();
    }

    /** The size of a value of {@code t}, 0 when DWARF does not say. */
    private int size(GoType t) {
        return (int) Math.max(0, types.sizeOf(t));
    }

    /**
     * A map points to its runtime header. What the header leads to (groups, tables, buckets) is part of the map's
     * value and does not count toward the pointer depth: its keys and values are one pointer from the map. A swiss
     * map ({@code internal/runtime/maps}, Go 1.24+) is read with its groups: the one group of a small map, or the
     * directory, its tables and their groups, up to the map limit; the groups are the compiler's
     * {@code noalg.map.group[K]V} type, whose pointers (keys', values') are followed. A bucket map
     * ({@code runtime.hmap}) is read with its buckets ({@code bucket<K,V>}) and their overflow buckets.
     * Other maps: the header alone, for the length.
     */
    private void map(GoType.MapType m, long base, List<ReadType.Slot> out) {
        Integer known = headers.get(m.offset());
        if (known != null) {
            out.add(new ReadType.Slot((int) base, ReadType.SlotKind.POINTER, known, true));
            return;
        }
        GoType key = types.get(m.key());
        GoType elem = types.get(m.elem());
        if (!(pointee(types.get(m.implementation())).map(types::underlying).orElse(null) instanceof GoType.Struct header)) {
            implementation(m.implementation(), base, out);
            return;
        }
        var bucket = types.byName("bucket<" + key.name() + "," + elem.name() + ">");
        if (header.field("buckets").isPresent() && header.field("B").isPresent() && header.field("oldbuckets").isPresent()
                && header.field("flags").isPresent() && bucket.isPresent()) {
            // A bucket map: 2^B buckets, whose overflow pointers the bucket's read type follows, and while it grows
            // its old buckets, which hold the entries not moved yet.
            int id = add(header.name() + " of " + m.name(), size(header), List.of());
            headers.put(m.offset(), id);
            int buckets = (int) header.field("buckets").get().offset();
            int b = (int) header.field("B").get().offset();
            int old = (int) header.field("oldbuckets").get().offset();
            int flags = (int) header.field("flags").get().offset();
            int bucketId = bucketType(bucket.get());
            List<ReadType.Slot> slots = new ArrayList<>(List.of(
                    new ReadType.Slot(buckets, ReadType.SlotKind.HMAP_BUCKETS, bucketId, false, b - buckets)));
            // The program takes flags and B from one word: they are adjacent bytes in every runtime.hmap.
            if (b == flags + 1) {
                slots.add(new ReadType.Slot(old, ReadType.SlotKind.HMAP_OLDBUCKETS, bucketId, false, flags - old));
            }
            pendingSlots.set(id, List.copyOf(slots));
            out.add(new ReadType.Slot((int) base, ReadType.SlotKind.POINTER, id, true));
            return;
        }
        var group = types.byName("noalg.map.group[" + key.name() + "]" + elem.name());
        var table = types.byName("internal/runtime/maps.table");
        if (header.field("dirPtr").isEmpty() || header.field("dirLen").isEmpty() || group.isEmpty() || table.isEmpty()
                || !(types.underlying(table.get()) instanceof GoType.Struct t) || t.field("groups").isEmpty()) {
            implementation(m.implementation(), base, out);
            return;
        }
        int id = add(header.name() + " of " + m.name(), size(header), List.of());
        headers.put(m.offset(), id);
        int groupId = valueType(group.get());
        long groupsAt = t.field("groups").get().offset();
        GoType groupsRef = types.underlying(types.get(t.field("groups").get().type()));
        long dataAt = groupsRef instanceof GoType.Struct g && g.field("data").isPresent() ? g.field("data").get().offset() : 0;
        long maskAt = groupsRef instanceof GoType.Struct g && g.field("lengthMask").isPresent() ? g.field("lengthMask").get().offset() : 8;
        int tableId = add(t.name() + " of " + m.name(), size(t),
                List.of(new ReadType.Slot((int) (groupsAt + dataAt), ReadType.SlotKind.SWISS_GROUPS, groupId, false, (int) (maskAt - dataAt))));
        int directoryId = add("directory of " + m.name(), 8, List.of(new ReadType.Slot(0, ReadType.SlotKind.POINTER, tableId, false)));
        int dirPtr = (int) header.field("dirPtr").get().offset();
        int dirLen = (int) header.field("dirLen").get().offset() - dirPtr;
        pendingSlots.set(id, List.of(new ReadType.Slot(dirPtr, ReadType.SlotKind.SWISS_SMALL, groupId, false, dirLen),
                new ReadType.Slot(dirPtr, ReadType.SlotKind.SWISS_DIRECTORY, directoryId, false, dirLen)));
        out.add(new ReadType.Slot((int) base, ReadType.SlotKind.POINTER, id, true));
    }

    /**
     * The read type of a bucket map's bucket: its keys' and values' pointers count toward the depth, its overflow
     * pointer does not (an overflow bucket is part of the map, like the bucket array).
     */
    private int bucketType(GoType bucket) {
        int id = valueType(bucket);
        long overflow = types.underlying(bucket) instanceof GoType.Struct s && s.field("overflow").isPresent()
                ? s.field("overflow").get().offset() : -1;
        pendingSlots.set(id, pendingSlots.get(id).stream().map(slot -> slot.offset() == overflow
                ? new ReadType.Slot(slot.offset(), slot.kind(), slot.target(), false, slot.second()) : slot).toList());
        return id;
    }

    /**
     * A channel points to its {@code runtime.hchan}, read with its buffer: {@code dataqsiz} elements at {@code buf}
     * (up to the slice limit), which the decoder orders from {@code recvx}. The buffer is part of the channel's
     * value, as a map's groups are: its elements are one pointer from the channel.
     */
    private void channel(GoType.Chan c, long base, List<ReadType.Slot> out) {
        Optional<GoType> pointee = pointee(types.get(c.implementation()));
        if (pointee.isEmpty()) {
            return;
        }
        GoType header = pointee.get();
        if (!(types.underlying(header) instanceof GoType.Struct hchan) || hchan.field("buf").isEmpty() || hchan.field("dataqsiz").isEmpty()) {
            implementation(c.implementation(), base, out);
            return;
        }
        Integer id = headers.get(c.offset());
        if (id == null) {
            id = add(header.name() + " of " + c.name(), size(header), List.of());
            headers.put(c.offset(), id);
            long buf = hchan.field("buf").get().offset();
            long cap = hchan.field("dataqsiz").get().offset();
            GoType elem = types.get(c.elem());
            if (size(elem) > 0) {
                pendingSlots.set(id, List.of(new ReadType.Slot((int) buf, ReadType.SlotKind.SLICE, valueType(elem), false, (int) (cap - buf))));
            }
        }
        out.add(new ReadType.Slot((int) base, ReadType.SlotKind.POINTER, id, true));
    }

    /**
     * The concrete types the binary pairs with a non-empty interface in its itabs, each with the read type of what
     * its data word leads to, so that the program follows the pointers in an interface's dynamic value too.
     */
    private void dynamicTypesOf(GoType iface) {
        if (!interfacesDone.add(iface.name())) {
            return;
        }
        for (GoType concrete : dwarf.itabTypes(iface.name())) {
            if (!followDynamic(concrete)) {
                return;
            }
        }
    }

    /**
     * An empty interface can hold a value of any type the binary has a runtime type of: those whose values hold
     * pointers are followed, after the itabs' types (known to meet an interface the spec reaches), as many as the
     * table holds: types without a package first (string, []any, map[string]any: what an {@code any} most often
     * holds), then those of the program's own packages, then the standard library's.
     */
    private void emptyInterfaceTypes() {
        List<GoType> candidates = new ArrayList<>(dwarf.runtimeTypes().stream()
                .filter(t -> types.pointerShaped(t) ? pointee(t).map(p -> hasPointers(p, 0)).orElse(true) : hasPointers(t, 0))
                .toList());
        candidates.sort(Comparator.comparingInt(CapturePlanner::packageRank));
        for (GoType t : candidates) {
            if (!followDynamic(t)) {
                return;
            }
        }
    }

    /** Adds {@code concrete} to the dynamic types; false when the table is full (the rest are read as bytes). */
    private boolean followDynamic(GoType concrete) {
        var address = dwarf.runtimeTypeAddress(concrete);
        if (address.isEmpty() || dynamicTypes.containsKey(address.getAsLong())) {
            return true;
        }
        if (dynamicTypes.size() == CapturePlan.MAX_DYNAMIC_TYPES) {
            return false;
        }
        if (!types.pointerShaped(concrete)) {
            if (size(concrete) > 0) {
                dynamicTypes.put(address.getAsLong(), valueType(concrete));
            }
            return true;
        }
        // The data word is the value itself, a pointer: the program reads what it points to (a map's or
        // channel's header, a closure, the pointee), as the value's own pointer slot says.
        pendingSlots.get(valueType(concrete)).stream()
                .filter(s -> s.offset() == 0 && s.kind() == ReadType.SlotKind.POINTER)
                .findFirst()
                .ifPresent(s -> dynamicTypes.put(address.getAsLong(), s.target()));
        return true;
    }

    /** 0: no package in the type's name; 1: a package of the program's own (main, or a path with a domain); 2: std. */
    private static int packageRank(GoType t) {
        var m = QUALIFIED.matcher(t.name());
        int rank = 0;
        while (m.find()) {
            String first = m.group(1);
            if (first.equals("main") || first.contains(".")) {
                return 1;
            }
            rank = 2;
        }
        return rank;
    }

    /** Whether a value of {@code t} holds a pointer the program would follow. */
    private boolean hasPointers(GoType t, int nesting) {
        if (nesting > 32) {
            return false;
        }
        Boolean known = pointerful.get(t.offset());
        if (known != null) {
            return known;
        }
        boolean has = switch (types.underlying(t)) {
            case GoType.Pointer p -> p.elem().isPresent();
            case GoType.StringType s -> true;
            case GoType.Slice s -> true;
            case GoType.Interface i -> true;
            case GoType.MapType m -> true;
            case GoType.Chan c -> true;
            case GoType.Func f -> true;
            case GoType.Struct s -> s.fields().stream().anyMatch(f -> hasPointers(types.get(f.type()), nesting + 1));
            case GoType.Array a -> a.count() > 0 && hasPointers(types.get(a.elem()), nesting + 1);
            default -> false;
        };
        pointerful.put(t.offset(), has);
        return has;
    }

    private int leaf(String name, int size) {
        return leafTypes.computeIfAbsent(name + "/" + size, k -> add(name, size, List.of()));
    }

    private static List<ReadType.Slot> shifted(List<ReadType.Slot> slots, long by) {
        return slots.stream().map(s -> new ReadType.Slot((int) (s.offset() + by), s.kind(), s.target(), s.countDepth(), s.second())).toList();
    }
}
