package dev.loupe.probegen;

import dev.loupe.probegen.ir.CapturePlan;
import dev.loupe.probegen.ir.ReadType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The contents of the capture maps, encoded from a {@link CapturePlan} for the agent to store before it loads the
 * program (array maps, one value per key from 0). Layouts, little-endian:
 * <pre>
 * cap_ranges  one value: per range {u64 low, u64 high, u32 plan, u32 0}, padded to a power of two with
 *             ranges whose low is 2^63-1, above every user address, which the binary search never picks
 * cap_innermost the same for innermost frames: {u64 low, u64 high, u32 plan, u32 CFA - sp}
 * cap_plans   per plan: u32 entries, u32 0, then up to 64 entries {i64 field, u32 size, u32 kind << 16 | type}:
 *             a read at CFA + field, or a value in pieces (an assembly, then its pieces, in stack slots or
 *             registers: see CaptureEmitter)
 * cap_types   per type: u32 size, u32 slots, then up to 8 slots {u32 offset, u16 kind, u16 counts depth,
 *             u32 target type, i32 where its second word is, from it}
 * </pre>
 */
public final class CaptureMaps {
    private CaptureMaps() {}

    /** Range entries the program searches: the ranges' count rounded up to a power of two (at least 1). */
    static int rangeSlots(int ranges) {
        return Math.max(1, Integer.highestOneBit(Math.max(1, ranges * 2 - 1)));
    }

    /** The maps the capture pass needs, with their contents. */
    static List<MapSpec> maps(CapturePlan plan) {
        int slots = rangeSlots(plan.ranges().size());
        ByteBuffer ranges = buffer(slots * CaptureEmitter.RANGE_BYTES);
        for (CapturePlan.PcRange r : plan.ranges()) {
            ranges.putLong(r.low()).putLong(r.high()).putInt(r.plan()).putInt(0);
        }
        pad(ranges);
        int innermostSlots = rangeSlots(plan.innermost().size());
        ByteBuffer innermost = buffer(innermostSlots * CaptureEmitter.RANGE_BYTES);
        for (CapturePlan.InnermostRange r : plan.innermost()) {
            innermost.putLong(r.low()).putLong(r.high()).putInt(r.plan()).putInt(r.cfaFromSp());
        }
        pad(innermost);
        List<byte[]> plans = new ArrayList<>();
        for (CapturePlan.FramePlan p : plan.plans()) {
            int entries = p.roots().stream().mapToInt(r -> r.pieces().isEmpty() ? 1 : 1 + r.pieces().size()).sum();
            if (entries > CaptureEmitter.MAX_ROOTS) {
                throw new IllegalArgumentException(p.name() + ": " + entries + " reads in one frame, at most " + CaptureEmitter.MAX_ROOTS);
            }
            ByteBuffer b = buffer(CaptureEmitter.PLAN_BYTES).putInt(entries).putInt(0);
            for (CapturePlan.Root r : p.roots()) {
                int size = plan.types().get(r.type()).size();
                if (r.pieces().isEmpty()) {
                    b.putLong(r.cfaOffset()).putInt(size).putInt(CaptureEmitter.ROOT_READ << 16 | r.type());
                    continue;
                }
                b.putLong(r.assemblyBits()).putInt(size).putInt(CaptureEmitter.ROOT_ASSEMBLE << 16 | r.type());
                for (CapturePlan.Piece piece : r.pieces()) {
                    if (piece.register() >= 0) {
                        b.putLong(piece.register() * 8L).putInt(piece.size()).putInt(CaptureEmitter.ROOT_REGISTER_PIECE << 16 | piece.offset());
                    } else {
                        b.putLong(piece.cfaOffset()).putInt(piece.size()).putInt(CaptureEmitter.ROOT_PIECE << 16 | piece.offset());
                    }
                }
            }
            plans.add(b.array());
        }
        List<byte[]> types = new ArrayList<>();
        for (ReadType t : plan.types()) {
            ByteBuffer b = buffer(CaptureEmitter.TYPE_BYTES).putInt(t.size()).putInt(t.slots().size());
            for (ReadType.Slot s : t.slots()) {
                b.putInt(s.offset()).putShort((short) s.kind().ordinal()).putShort((short) (s.countDepth() ? 1 : 0))
                        .putInt(s.target()).putInt(s.second());
            }
            types.add(b.array());
        }
        return List.of(
                new MapSpec(CaptureEmitter.RANGES_MAP, MapSpec.Kind.ARRAY, 4, slots * CaptureEmitter.RANGE_BYTES, 1,
                        List.of(ranges.array())),
                new MapSpec(CaptureEmitter.INNERMOST_MAP, MapSpec.Kind.ARRAY, 4, innermostSlots * CaptureEmitter.RANGE_BYTES, 1,
                        List.of(innermost.array())),
                new MapSpec(CaptureEmitter.PLANS_MAP, MapSpec.Kind.ARRAY, 4, CaptureEmitter.PLAN_BYTES, Math.max(1, plans.size()),
                        plans),
                new MapSpec(CaptureEmitter.TYPES_MAP, MapSpec.Kind.ARRAY, 4, CaptureEmitter.TYPE_BYTES, Math.max(1, types.size()),
                        types),
                new MapSpec(CaptureEmitter.SEEN_MAP, MapSpec.Kind.HASH, 16, 8, CaptureEmitter.SEEN_ENTRIES, List.of()),
                new MapSpec(CaptureEmitter.DYNAMIC_TYPES_MAP, MapSpec.Kind.ARRAY, 4, CaptureEmitter.DYNAMIC_TYPES_BYTES, 1,
                        List.of(dynamicTypes(plan))),
                new MapSpec(CaptureEmitter.SCRATCH_MAP, MapSpec.Kind.ARRAY, 4, CaptureEmitter.SCRATCH_BYTES, 1, List.of()));
    }

    /**
     * cap_dyntypes: one value, {u32 count, u32 0}, then sorted {u64 runtime type address, u32 read type, u32 0}
     * entries, searched in the program like the ranges.
     */
    private static byte[] dynamicTypes(CapturePlan plan) {
        if (plan.dynamicTypes().size() > CaptureEmitter.MAX_DYNAMIC_TYPES) {
            throw new IllegalArgumentException(plan.dynamicTypes().size() + " dynamic types of interfaces, at most "
                    + CaptureEmitter.MAX_DYNAMIC_TYPES);
        }
        ByteBuffer b = buffer(CaptureEmitter.DYNAMIC_TYPES_BYTES);
        var sorted = new java.util.TreeMap<>(plan.dynamicTypes());
        for (int i = 0; i < CaptureEmitter.MAX_DYNAMIC_TYPES; i++) {
            var e = sorted.pollFirstEntry();
            b.putLong(e == null ? Long.MAX_VALUE : e.getKey()).putInt(e == null ? 0 : e.getValue()).putInt(0);
        }
        return b.array();
    }

    /** Fills the rest of a range table with ranges that match nothing. */
    private static void pad(ByteBuffer table) {
        while (table.hasRemaining()) {
            table.putLong(Long.MAX_VALUE).putLong(Long.MAX_VALUE).putInt(0).putInt(0);
        }
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
