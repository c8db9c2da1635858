package dev.loupe.probegen;

/**
 * The layout of the record {@link SnapshotProgram} emits per captured frame, little-endian, right after the
 * {@link GoroutineRecord} of its goroutine: a header, then the chunks of memory the frame's capture read.
 *
 * <pre>
 * offset  size  field
 *  0      4     index in allgs of the goroutine
 *  4      2     flags: {@link #CAPTURE} always; {@link #TRUNCATED} when a budget (bytes, queue) cut the capture short;
 *               {@link #OVER_BUDGET} when the snapshot's budget was spent before it
 *  6      2     frame: the index of the frame's return address in the goroutine record; {@link #INNERMOST_FRAME}
 *               for the innermost frame of a running goroutine (at the goroutine record's pc, its CFA from sp)
 *  8      4     plan: the index of the frame plan in the capture plan
 * 12      4     bytes of chunks that follow the header
 * 16      8     the frame's CFA
 * 24      4     chunks
 * 28      4     0
 * 32      ...   chunks, each: u64 address, u32 type id, i32 length (a negative errno when the read failed, with no
 *               bytes then), and the bytes read, padded to 8
 * </pre>
 */
public final class CaptureRecord {
    public static final int INDEX = 0;
    public static final int FLAGS = 4;
    public static final int FRAME = 6;
    public static final int PLAN = 8;
    public static final int DATA_BYTES = 12;
    public static final int CFA = 16;
    public static final int CHUNKS = 24;
    public static final int HEADER_BYTES = 32;
    public static final int CHUNK_HEADER_BYTES = 16;
    /** The most bytes of one chunk; longer values are cut there (and marked truncated). */
    public static final int MAX_CHUNK_BYTES = 4096;

    /** The frame field of a running goroutine's innermost frame, which has no return address of its own. */
    public static final int INNERMOST_FRAME = 0xffff;

    /** Set on every capture record: what tells it from a {@link GoroutineRecord} (whose flags never have it). */
    public static final int CAPTURE = 0x8000;
    /** A budget ended the capture early: what is missing was not read, which the decoder says per value. */
    public static final int TRUNCATED = 0x4000;
    /** The snapshot's byte budget ({@code snapshot_bytes}) was spent before this frame: nothing of it was read. */
    public static final int OVER_BUDGET = 0x2000;

    private CaptureRecord() {}
}
