package dev.loupe.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.Types;
import dev.loupe.dwarf.pclntab.Pclntab;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.probegen.CaptureRecord;
import dev.loupe.probegen.ir.CapturePlan;
import dev.loupe.probegen.spec.ResolvedCapture;
import dev.loupe.probegen.spec.ResolvedFunction;
import dev.loupe.probegen.spec.ResolvedSpec;
import dev.loupe.probegen.spec.Step;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Decodes the {@link CaptureRecord}s of one process into the values of the spec's expressions, frame by frame.
 * Add every capture record first (a value may be in another frame's chunks: each (address, type) is read once per
 * snapshot), then take {@link #frames()}. Not thread-safe.
 */
public final class CaptureDecoder {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ResolvedSpec spec;
    private final CapturePlan plan;
    private final Types types;
    private final RuntimeLayout layout;
    private final Memory memory = new Memory();
    private final ValueDecoder values;
    private final List<Header> headers = new ArrayList<>();

    /**
     * @param spec   the spec, resolved against the process's binary
     * @param plan   the capture plan the program was generated with
     * @param dwarf  the binary's DWARF
     * @param pclntab the binary's pclntab (for func values)
     * @param layout the binary's runtime layout
     * @param form   whether the values carry their addresses
     */
    public CaptureDecoder(ResolvedSpec spec, CapturePlan plan, GoDwarf dwarf, Pclntab pclntab, RuntimeLayout layout, ValueForm form) {
        this.spec = spec;
        this.plan = plan;
        this.types = dwarf.types();
        this.layout = layout;
        this.values = new ValueDecoder(memory, dwarf, pclntab, layout, plan.pointerDepth(), plan.dynamicTypes().keySet(), form);
    }

    /** True for a {@link CaptureRecord}, false for a goroutine record. */
    public static boolean isCapture(byte[] record) {
        return record.length >= CaptureRecord.HEADER_BYTES
                && (ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).getShort(CaptureRecord.FLAGS) & CaptureRecord.CAPTURE) != 0;
    }

    private record Header(int goroutine, int chainIndex, int plan, long cfa, boolean truncated, boolean overBudget) {}

    /**
     * Adds one capture record.
     *
     * @throws IllegalArgumentException for a record that is malformed (short, a plan out of range, chunks past its end)
     */
    public void add(byte[] record) {
        if (record.length < CaptureRecord.HEADER_BYTES) {
            throw new IllegalArgumentException("capture record of " + record.length + " bytes, shorter than its header");
        }
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        int planIndex = b.getInt(CaptureRecord.PLAN);
        if (planIndex < 0 || planIndex >= plan.plans().size()) {
            throw new IllegalArgumentException("capture record for plan " + planIndex + " of " + plan.plans().size());
        }
        memory.add(b);
        int frame = Short.toUnsignedInt(b.getShort(CaptureRecord.FRAME));
        headers.add(new Header(b.getInt(CaptureRecord.INDEX), frame == CaptureRecord.INNERMOST_FRAME ? -1 : frame, planIndex,
                b.getLong(CaptureRecord.CFA), (b.getShort(CaptureRecord.FLAGS) & CaptureRecord.TRUNCATED) != 0,
                (b.getShort(CaptureRecord.FLAGS) & CaptureRecord.OVER_BUDGET) != 0));
    }

    /**
     * One captured frame.
     *
     * @param goroutine  the goroutine's index in {@code runtime.allgs} (its record's)
     * @param chainIndex the index of the frame's return address in its goroutine record; -1 for the innermost frame
     *                   of a running goroutine ({@link GoroutineStack#depthOf})
     * @param function   the function's index in the spec
     * @param values     one per capture of the function, in the spec's order; null where the variable is not
     *                   available at the frame's pc
     * @param truncated  whether a budget cut the frame's capture short
     * @param inlineDepth 0 for a frame of the function's own; d for a call of it inlined d levels into the frame's
     *                    function, whose inlined frame comes d frames before it in the stack
     */
    public record CapturedFrame(int goroutine, int chainIndex, int function, List<JsonNode> values, boolean truncated,
                                int inlineDepth) {}

    /** Every frame added, with its values. */
    public List<CapturedFrame> frames() {
        List<CapturedFrame> out = new ArrayList<>(headers.size());
        for (Header h : headers) {
            CapturePlan.FramePlan fp = plan.plans().get(h.plan());
            ResolvedFunction f = spec.functions().get(fp.function());
            List<JsonNode> row = new ArrayList<>(f.captures().size());
            for (int ci = 0; ci < f.captures().size(); ci++) {
                int capture = ci;
                var root = fp.roots().stream().filter(r -> r.capture() == capture).findFirst();
                if (root.isEmpty()) {
                    row.add(null);
                    continue;
                }
                if (h.overBudget()) {
                    row.add(ValueDecoder.missing("not captured: the snapshot's snapshot_bytes limit was reached"));
                    continue;
                }
                CapturePlan.Root r = root.get();
                row.add(evaluate(f.captures().get(ci), r.pieces().isEmpty() ? h.cfa() + r.cfaOffset() : r.assembledAddress(h.cfa())));
            }
            out.add(new CapturedFrame(h.goroutine(), h.chainIndex(), fp.function(), row, h.truncated(), fp.inlineDepth()));
        }
        return out;
    }

    /** The expression's value, from its root variable at {@code address}. */
    private JsonNode evaluate(ResolvedCapture c, long address) {
        GoType t = c.rootType();
        long at = address;
        for (Step s : c.path()) {
            switch (s) {
                case Step.Deref d -> {
                    OptionalLong p = memory.word(at);
                    if (p.isEmpty()) {
                        return ValueDecoder.missing("not captured: the pointer on the path of " + c.spec().expr());
                    }
                    if (p.getAsLong() == 0) {
                        return ValueDecoder.missing("nil pointer on the path of " + c.spec().expr());
                    }
                    at = p.getAsLong();
                    t = d.pointee();
                }
                case Step.FieldAt fa -> {
                    at += fa.offset();
                    t = fa.type();
                }
                case Step.Index ix -> {
                    long es = Math.max(0, types.sizeOf(ix.element()));
                    if (ix.through() == Step.Index.Kind.ARRAY) {
                        at += ix.index() * es;
                    } else {
                        OptionalLong data = memory.word(at);
                        OptionalLong len = memory.word(at + 8);
                        if (data.isEmpty() || len.isEmpty()) {
                            return ValueDecoder.missing("not captured: the header indexed in " + c.spec().expr());
                        }
                        if (ix.index() >= len.getAsLong()) {
                            return ValueDecoder.missing("index " + ix.index() + " out of range [0:" + len.getAsLong() + "] in " + c.spec().expr());
                        }
                        at = data.getAsLong() + ix.index() * es;
                    }
                    t = ix.element();
                }
                case Step.Len _, Step.Cap _ -> {
                    return length(s, t, at, c);
                }
            }
        }
        return values.decode(t, at, 0);
    }

    /** {@code len} or {@code cap} (step {@code s}) of the value of type {@code t} at {@code at}. */
    private JsonNode length(Step s, GoType t, long at, ResolvedCapture c) {
        OptionalLong count = types.underlying(t) instanceof GoType.Array a ? OptionalLong.of(a.count()) : OptionalLong.empty();
        OptionalLong n = switch (s) {
            case Step.Len l -> switch (l.of()) {
                case STRING, SLICE -> memory.word(at + 8);
                case ARRAY -> count;
                case MAP -> header(at, ValueDecoder.mapCountOffset(layout));
                case CHAN -> header(at, layout.hchan().qcount());
            };
            case Step.Cap k -> switch (k.of()) {
                case SLICE -> memory.word(at + 16);
                case ARRAY -> count;
                case CHAN -> header(at, layout.hchan().dataqsiz());
            };
            default -> OptionalLong.empty();
        };
        return n.isPresent() ? JSON.numberNode(n.getAsLong()) : ValueDecoder.missing("not captured: the length of " + c.spec().expr());
    }

    /** A field of the runtime header a map or channel value points to; 0 for a nil one, as len and cap say. */
    private OptionalLong header(long at, long offset) {
        OptionalLong p = memory.word(at);
        if (p.isEmpty()) {
            return OptionalLong.empty();
        }
        return p.getAsLong() == 0 ? OptionalLong.of(0) : memory.word(p.getAsLong() + offset);
    }
}
