package dev.loupe.agent.capture;

import dev.loupe.agent.internal.sys.Bpf;
import dev.loupe.agent.internal.sys.Fd;
import dev.loupe.agent.internal.sys.ProgramSpec;
import dev.loupe.agent.internal.sys.RingBuffer;
import dev.loupe.agent.internal.sys.SysException;
import dev.loupe.agent.pause.PauseException;
import dev.loupe.agent.pause.ProcessPause;
import dev.loupe.bpf.asm.Program;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a task-iterator snapshot program against one process. Everything that can be done before the pause
 * is: the program is loaded and verified, its ring buffer created and its link made first, so the pause
 * covers only running it. Every kernel object is closed when the capture ends, whatever happens.
 */
public final class IteratorCapture {
    private IteratorCapture() {}

    /**
     * @param pid              the target process
     * @param program          the program, referring to its ring buffer as {@code ringBufferName}
     * @param iterTaskBtfId    BTF id of {@code bpf_iter_task} on this kernel
     * @param ringBufferName   the map name the program uses for its records
     * @param ringBufferBytes  the ring buffer's size: a power of two, a multiple of the page size
     * @param budget           the longest the target may stay paused
     */
    public static RawCapture run(int pid, Program program, int iterTaskBtfId, String ringBufferName,
                                 long ringBufferBytes, Duration budget) throws CaptureException {
        try (Fd ring = Bpf.mapCreate(Bpf.MapType.RINGBUF, "loupe_records", 0, 0, Math.toIntExact(ringBufferBytes));
             Fd prog = Bpf.progLoad(ProgramSpec.of(Bpf.ProgType.TRACING, "loupe_snapshot", program)
                     .withMaps(Map.of(ringBufferName, ring.raw()))
                     .attachTo(Bpf.AttachType.TRACE_ITER, iterTaskBtfId)
                     .withFlags(Bpf.F_SLEEPABLE));
             Fd link = Bpf.linkTaskIterator(prog, pid);
             RingBuffer records = RingBuffer.map(ring, ringBufferBytes)) {
            ProcessPause pause = ProcessPause.stop(pid, budget);
            long runNs;
            long pauseNs;
            try {
                long start = System.nanoTime();
                try (Fd iter = Bpf.iterCreate(link)) {
                    Bpf.readIterator(iter, 1 << 16);
                }
                runNs = System.nanoTime() - start;
            } finally {
                pauseNs = pause.resume();
            }
            List<byte[]> out = new ArrayList<>();
            records.poll(r -> out.add(r.toArray(ValueLayout.JAVA_BYTE)));
            return new RawCapture(pid, pauseNs, pause.stopNanos(), runNs, List.copyOf(out), pause.registers());
        } catch (PauseException e) {
            throw new CaptureException(e.getMessage(), e);
        } catch (SysException e) {
            throw new CaptureException("capturing process " + pid + ": " + e.getMessage(), e);
        }
    }
}
