package dev.loupe.probegen.ir;

import java.util.List;
import java.util.Map;

/**
 * Everything a snapshot program captures besides stacks. A frame whose pc falls in one of {@link #ranges} is
 * captured with that range's {@link FramePlan}: its roots are read relative to the frame's CFA, then every pointer
 * found in what was read is followed, breadth first, as its {@link ReadType} says, until {@link #pointerDepth} or a
 * byte budget ends it. What is read are bytes at addresses; the decoder gives them meaning with DWARF.
 *
 * @param ranges       sorted, non-overlapping ranges of return addresses, each with the index of its plan in
 *                     {@link #plans}: the frames of callers
 * @param innermost    the same for the pc of a running goroutine's innermost frame (the instruction it stopped
 *                     at, not a return address), with where its CFA is from sp
 * @param plans        the frame plans
 * @param types        how to read and follow each type, by id (its index; id 0 is {@link ReadType#BYTES})
 * @param stringBytes  the most bytes read from one string
 * @param sliceBytes   the most bytes read of one slice's elements (or of an interface's dynamic value)
 * @param mapBytes     the most bytes read of one map's groups
 * @param pointerDepth the most pointers followed from a root (steps of an expression's path do not count)
 * @param frameBytes   the most bytes captured per frame
 * @param snapshotBytes the most bytes captured per process: later frames are sent without values
 * @param dynamicTypes by the address of a runtime type an interface may hold, the read type of the value behind
 *                     its data word (for a pointer type, of what it points to); an interface holding another type
 *                     has its value read as bytes, its pointers not followed
 */
public record CapturePlan(List<PcRange> ranges, List<InnermostRange> innermost, List<FramePlan> plans, List<ReadType> types, int stringBytes, int sliceBytes,
                          int mapBytes, int pointerDepth, int frameBytes, long snapshotBytes, Map<Long, Integer> dynamicTypes) {
    /** The most dynamic types of interfaces a plan follows (a table the program searches); others are read as bytes. */
    public static final int MAX_DYNAMIC_TYPES = 4096;
    /** A plan that captures nothing. */
    public static final CapturePlan NONE = new CapturePlan(List.of(), List.of(), List.of(), List.of(ReadType.BYTES), 1, 1, 1, 0, 1, 1,
            Map.of());

    public CapturePlan {
        ranges = List.copyOf(ranges);
        innermost = List.copyOf(innermost);
        plans = List.copyOf(plans);
        types = List.copyOf(types);
        dynamicTypes = Map.copyOf(dynamicTypes);
    }

    /** True when there is nothing to capture. */
    public boolean isEmpty() {
        return ranges.isEmpty() && innermost.isEmpty();
    }

    /** The pcs {@code [low, high)} whose frames {@code plan} captures. */
    public record PcRange(long low, long high, int plan) {}

    /**
     * The pcs {@code [low, high)} at which a running goroutine's innermost frame is captured with {@code plan}; its
     * CFA is sp + {@code cfaFromSp} there (the function's stack delta, from its pcsp table, plus the return address).
     */
    public record InnermostRange(long low, long high, int plan, int cfaFromSp) {}

    /**
     * The reads of one function's frames at some pcs.
     *
     * @param function    the function's index in the spec
     * @param name        its name
     * @param inlineDepth 0 for the function's own frames; d for a call of it inlined d levels into the function
     *                    whose frame it is (its frame is then the d-th before that function's in the stack)
     * @param roots       what to read relative to the frame's CFA
     */
    public record FramePlan(int function, String name, int inlineDepth, List<Root> roots) {
        public FramePlan {
            roots = List.copyOf(roots);
        }
    }

    /**
     * One read relative to a frame's CFA: a variable's stack slot, or the stack slots of its pieces.
     *
     * @param capture   the index of the spec's capture (the column) it serves
     * @param cfaOffset where it is, from the CFA (unused when it has pieces)
     * @param type      how to read it: {@code types().get(type)}, whose size is the read's
     * @param pieces    empty for a value in one place; else the pieces the program puts together, in a chunk at
     *                  {@link #assembledAddress}
     */
    public record Root(int capture, long cfaOffset, int type, List<Piece> pieces) {
        public Root {
            pieces = List.copyOf(pieces);
        }

        /** A value in one place. */
        public Root(int capture, long cfaOffset, int type) {
            this(capture, cfaOffset, type, List.of());
        }

        /** The bits that, or'ed with a frame's CFA, make the address of an assembled value: unique per frame and capture. */
        public long assemblyBits() {
            return (0x8000L + capture) << 48;
        }

        /** Where the value of a root with pieces is, for the frame at {@code cfa} (not a real address). */
        public long assembledAddress(long cfa) {
            return cfa | assemblyBits();
        }
    }

    /**
     * A piece of a value, at {@code offset} in it: {@code size} bytes at CFA + {@code cfaOffset}, or, for an
     * innermost frame, the low {@code size} bytes of DWARF register {@code register} (-1 for a stack slot).
     */
    public record Piece(long cfaOffset, int register, int size, int offset) {
        /** A piece in a stack slot. */
        public Piece(long cfaOffset, int size, int offset) {
            this(cfaOffset, -1, size, offset);
        }
    }
}
