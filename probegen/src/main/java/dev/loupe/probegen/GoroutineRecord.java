package dev.loupe.probegen;

/**
 * The layout of the record {@link SnapshotProgram} emits per live goroutine, little-endian: a fixed header, the
 * {@code runtime.g} as it was in the paused process, the return addresses found by frame-pointer unwinding, and,
 * for goroutines not parked by the scheduler and preempted ones, the top of their stack.
 *
 * <pre>
 * offset  size  field
 *  0      4     index in allgs
 *  4      2     flags: bits 0-1 the source of pc/sp/bp ({@link #SOURCE_SCHED}, {@link #SOURCE_SYSCALL},
 *               {@link #SOURCE_THREAD}), then {@link #TRUNCATED}, {@link #STACK_READ_FAILED}, {@link #NO_THREAD},
 *               {@link #OFF_STACK}, {@link #SIGNAL_FRAME}
 *  6      2     npcs: return addresses that follow the g
 *  8      4     0, or the negative errno of the g's copy (the g bytes are then zero and npcs 0)
 * 12      4     the thread id when the source is the thread
 * 16      8     pc    the innermost frame's pc
 * 24      8     sp    its stack pointer
 * 32      8     bp    its frame pointer (0 when unknown)
 * 40      4     window: bytes of stack copied from sp, after the pcs
 * 44      4     0, or the negative errno of a failed stack read
 * 48      gSize the runtime.g
 * ..      8*npcs  return addresses: [bp+8], [[bp]+8], ... (the caller of the innermost frame first)
 * ..      window  the stack from sp, for unwinding the innermost frames with pclntab's pcsp table
 * </pre>
 */
public final class GoroutineRecord {
    public static final int INDEX = 0;
    public static final int FLAGS = 4;
    public static final int NPCS = 6;
    public static final int G_ERROR = 8;
    public static final int THREAD_ID = 12;
    public static final int PC = 16;
    public static final int SP = 24;
    public static final int BP = 32;
    public static final int WINDOW = 40;
    public static final int STACK_ERROR = 44;
    public static final int HEADER_BYTES = 48;

    /** pc/sp/bp come from {@code g.sched}: a parked goroutine. */
    public static final int SOURCE_SCHED = 0;
    /** pc/sp/bp come from {@code g.syscallpc/sp/bp}: a goroutine in a system call. */
    public static final int SOURCE_SYSCALL = 1;
    /** pc/sp/bp are its thread's registers at the pause: a running goroutine, interrupted anywhere. */
    public static final int SOURCE_THREAD = 2;
    public static final int SOURCE_MASK = 3;
    /** The frame-pointer chain went on beyond the depth limit. */
    public static final int TRUNCATED = 1 << 2;
    /** Reading the stack failed part way; the pcs end there. */
    public static final int STACK_READ_FAILED = 1 << 3;
    /** Running, but its thread's registers were not found: {@code g.sched} was used. */
    public static final int NO_THREAD = 1 << 4;
    /** Running on another stack than its own (g0's, a signal handler's): {@code g.sched} was used. */
    public static final int OFF_STACK = 1 << 5;
    /**
     * With {@link #SOURCE_THREAD}: its thread was stopped in a signal handler, and pc/sp/bp and the registers are
     * those the signal interrupted, from the signal frame on the thread's alternate signal stack.
     */
    public static final int SIGNAL_FRAME = 1 << 6;

    /**
     * The statistics map's value, u64 each: goroutine records emitted, goroutine records lost to a full ring buffer,
     * allglen, capture records ({@link CaptureRecord}) emitted, capture records lost, bytes of values captured.
     */
    public static final int STAT_EMITTED = 0;
    public static final int STAT_DROPPED = 8;
    public static final int STAT_ALLGLEN = 16;
    public static final int STAT_CAPTURES = 24;
    public static final int STAT_CAPTURES_DROPPED = 32;
    public static final int STAT_CAPTURE_BYTES = 40;
    public static final int STATS_BYTES = 48;

    private GoroutineRecord() {}
}
