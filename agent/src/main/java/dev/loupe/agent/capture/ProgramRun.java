package dev.loupe.agent.capture;

import com.google.protobuf.ByteString;
import dev.loupe.agent.internal.sys.Bpf;
import dev.loupe.agent.internal.sys.Errno;
import dev.loupe.agent.internal.sys.Fd;
import dev.loupe.agent.internal.sys.ProgramSpec;
import dev.loupe.agent.internal.sys.Procfs;
import dev.loupe.agent.internal.sys.Realtime;
import dev.loupe.agent.internal.sys.RingBuffer;
import dev.loupe.agent.internal.sys.SysException;
import dev.loupe.agent.internal.sys.VerifierException;
import dev.loupe.agent.pause.PauseException;
import dev.loupe.agent.pause.ProcessPause;
import dev.loupe.bpf.asm.AsmException;
import dev.loupe.bpf.asm.Program;
import dev.loupe.protocol.CaptureError;
import dev.loupe.protocol.MapSpec;
import dev.loupe.protocol.ProcessCapture;
import dev.loupe.protocol.ProcessProgram;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one process's task-iterator program: everything that can be done before the pause is (maps created,
 * program loaded and verified, iterator linked, ring buffer mapped, program run once and armed), so the pause
 * covers running the program alone. The threads the pause waits on run at real-time priority. The ring buffer is
 * drained by another thread while the program runs, so its size bounds the backlog, not the capture. Every kernel
 * object is closed when the run ends, whatever happens.
 */
public final class ProgramRun {
    private static final long DRAIN_IDLE_NANOS = 200_000;
    private final ProcessProgram request;
    private final int iterTaskBtfId;
    private final Duration budget;

    /**
     * @param request       the program and its maps
     * @param iterTaskBtfId BTF id of {@code bpf_iter_task} on this kernel
     * @param budget        the longest the target may stay paused
     */
    public ProgramRun(ProcessProgram request, int iterTaskBtfId, Duration budget) {
        this.request = request;
        this.iterTaskBtfId = iterTaskBtfId;
        this.budget = budget;
    }

    /** Runs it; a failure is reported in the result with its kind and one line of explanation. */
    public ProcessCapture run() {
        int pid = request.getPid();
        ProcessCapture.Builder out = ProcessCapture.newBuilder().setPid(pid);
        try {
            capture(out);
        } catch (PauseException e) {
            fail(out, switch (e.reason()) {
                case GONE -> CaptureError.PROCESS_GONE;
                case PERMISSION -> CaptureError.PERMISSION_DENIED;
                case BUDGET -> CaptureError.BUDGET_EXCEEDED;
                case FAILED -> CaptureError.FAILED;
            }, e.getMessage());
        } catch (VerifierException e) {
            fail(out, CaptureError.KERNEL_REJECTED, "the kernel rejected the snapshot program for process " + pid + ": " + e.getMessage());
        } catch (SysException e) {
            CaptureError kind = e.is(Errno.EPERM) || e.is(Errno.EACCES) ? CaptureError.PERMISSION_DENIED
                    : e.is(Errno.ESRCH) ? CaptureError.PROCESS_GONE : CaptureError.FAILED;
            String hint = kind == CaptureError.PERMISSION_DENIED
                    ? "; run the agent as root or with CAP_BPF, CAP_PERFMON and CAP_SYS_PTRACE ('loupe doctor' tells)" : "";
            fail(out, kind, "capturing process " + pid + ": " + e.getMessage() + hint);
        } catch (AsmException | IllegalArgumentException e) {
            fail(out, CaptureError.BAD_REQUEST, "bad program for process " + pid + ": " + e.getMessage());
        }
        if (out.getError() == CaptureError.CAPTURE_ERROR_UNSPECIFIED && Procfs.exited(pid, pid)) {
            fail(out, CaptureError.PROCESS_GONE, "process " + pid + " exited during the snapshot");
        }
        return out.build();
    }

    private static void fail(ProcessCapture.Builder out, CaptureError kind, String message) {
        out.clearRecords().clearReadBack().setError(kind).setMessage(message);
    }

    private void capture(ProcessCapture.Builder out) throws SysException, PauseException {
        int pid = request.getPid();
        if (!Files.isDirectory(Path.of("/proc", Integer.toString(pid)))) {
            throw new PauseException(PauseException.Reason.GONE, "process " + pid + " does not exist (or has exited)");
        }
        long loadStart = System.nanoTime();
        List<Fd> maps = new ArrayList<>();
        try {
            Map<String, Fd> byName = new HashMap<>();
            Map<String, MapSpec> specs = new HashMap<>();
            int[] fds = new int[request.getMapsCount()];
            for (MapSpec m : request.getMapsList()) {
                Fd fd = Bpf.mapCreate(mapType(m), objectName(m.getName()), m.getKeySize(), m.getValueSize(), m.getMaxEntries());
                maps.add(fd);
                fds[maps.size() - 1] = fd.raw();
                if (byName.putIfAbsent(m.getName(), fd) != null) {
                    throw new IllegalArgumentException("two maps are named '" + m.getName() + "'");
                }
                if (m.getValuesCount() > 0 && (m.getKind() != dev.loupe.protocol.MapKind.MAP_KIND_ARRAY
                        || m.getValuesCount() > m.getMaxEntries())) {
                    throw new IllegalArgumentException("map '" + m.getName() + "' has initial values but is not an array map with room for them");
                }
                for (int key = 0; key < m.getValuesCount(); key++) {
                    Bpf.mapUpdate(fd, littleEndian(4).putInt(key).array(), m.getValues(key).toByteArray());
                }
                specs.put(m.getName(), m);
            }
            Fd ring = required(byName, request.getRecordsMap(), "records");
            MapSpec ringSpec = specs.get(request.getRecordsMap());
            Fd arm = request.getArmMap().isEmpty() ? null : required(byName, request.getArmMap(), "arm");
            byte[] insns = Program.bindMaps(request.getInstructions().toByteArray(), fds);
            try (Fd prog = Bpf.progLoad(new ProgramSpec(Bpf.ProgType.TRACING, objectName(request.getName()), insns,
                    Bpf.AttachType.TRACE_ITER, iterTaskBtfId, Bpf.F_SLEEPABLE));
                 Fd link = Bpf.linkTaskIterator(prog, pid);
                 RingBuffer records = RingBuffer.map(ring, ringSpec.getMaxEntries())) {
                out.setLoadNs(System.nanoTime() - loadStart);
                runPaused(out, link, records, arm);
            }
            for (String name : request.getReadBackMapsList()) {
                MapSpec spec = specs.get(name);
                Fd fd = required(byName, name, "read-back");
                byte[] value = Bpf.mapLookup(fd, new byte[4], spec.getValueSize()).orElse(new byte[0]);
                out.putReadBack(name, ByteString.copyFrom(value));
            }
        } finally {
            maps.forEach(Fd::close);
        }
    }

    private void runPaused(ProcessCapture.Builder out, Fd link, RingBuffer records, Fd arm)
            throws SysException, PauseException {
        warmUp(link, arm);
        List<ByteString> collected = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread drain = Thread.ofPlatform().name("loupe-ring-drain").start(() -> {
            while (running.get()) {
                if (records.poll(r -> collected.add(ByteString.copyFrom(r.asByteBuffer()))) == 0) {
                    // Not a spin: on a small machine the drain must leave the CPU to the pause and the program.
                    LockSupport.parkNanos(DRAIN_IDLE_NANOS);
                }
            }
        });
        try (Realtime raised = Realtime.raise(); ProcessPause pause = ProcessPause.stop(request.getPid(), budget)) {
            out.setMonotonicNs(System.nanoTime());
            Instant now = Instant.now();
            out.setRealtimeNs(now.getEpochSecond() * 1_000_000_000L + now.getNano());
            out.setThreads(pause.stoppedThreads());
            long start = System.nanoTime();
            try (Fd iter = Bpf.iterCreate(link)) {
                Bpf.readIterator(iter, 1 << 16);
            }
            out.setRunNs(System.nanoTime() - start);
            out.setPauseNs(pause.resume());
            out.setStopNs(pause.stopNanos());
        } finally {
            running.set(false);
            joinUninterruptibly(drain);
        }
        records.poll(r -> collected.add(ByteString.copyFrom(r.asByteBuffer())));
        out.addAllRecords(collected);
    }

    /**
     * Runs the program once before the pause, with the arm value 0, which the program takes as "do nothing" (the
     * protocol's contract), then arms it. Every call the pause makes is then linked and compiled: a cold call through
     * java.lang.foreign costs milliseconds, which must not be spent while the target is stopped.
     */
    private static void warmUp(Fd link, Fd arm) throws SysException {
        if (arm == null) {
            return;
        }
        try (Fd iter = Bpf.iterCreate(link)) {
            Bpf.readIterator(iter, 1 << 16);
        }
        Bpf.mapUpdate(arm, new byte[4], littleEndian(8).putLong(1).array());
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static Fd required(Map<String, Fd> maps, String name, String role) {
        Fd fd = maps.get(name);
        if (fd == null) {
            throw new IllegalArgumentException("the " + role + " map '" + name + "' is not among the program's maps");
        }
        return fd;
    }

    private static Bpf.MapType mapType(MapSpec m) {
        return switch (m.getKind()) {
            case MAP_KIND_HASH -> Bpf.MapType.HASH;
            case MAP_KIND_ARRAY -> Bpf.MapType.ARRAY;
            case MAP_KIND_RINGBUF -> Bpf.MapType.RINGBUF;
            case MAP_KIND_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("map '" + m.getName() + "' has no kind");
        };
    }

    /** Kernel object names are up to 15 of [A-Za-z0-9_.]; longer names are cut, others refused by ProgramSpec. */
    private static String objectName(String name) {
        String n = "loupe_" + name;
        return n.length() > 15 ? n.substring(0, 15) : n;
    }
}
