package dev.loupe.app.capture;

import com.google.protobuf.ByteString;
import dev.loupe.app.Durations;
import dev.loupe.app.LoupeVersion;
import dev.loupe.app.snapshot.ProcessInfo;
import dev.loupe.app.store.SnapshotWriter;
import dev.loupe.app.store.StoreException;
import dev.loupe.bpf.btf.KernelFacts;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.app.store.FunctionTable;
import dev.loupe.decoder.CaptureDecoder;
import dev.loupe.decoder.GoroutineDecoder;
import dev.loupe.decoder.GoroutineStack;
import dev.loupe.decoder.ValueForm;
import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.buildinfo.BuildInfo;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.dwarf.runtime.UnknownGoVersionException;
import dev.loupe.probegen.GoroutineRecord;
import dev.loupe.probegen.MapSpec;
import dev.loupe.probegen.SnapshotProgram;
import dev.loupe.probegen.ir.CapturePlan;
import dev.loupe.probegen.irgen.CapturePlanner;
import dev.loupe.probegen.spec.ResolvedFunction;
import dev.loupe.probegen.spec.ResolvedSpec;
import dev.loupe.probegen.spec.Spec;
import dev.loupe.probegen.spec.SpecException;
import dev.loupe.probegen.spec.SpecResolver;
import dev.loupe.protocol.AgentApi;
import dev.loupe.protocol.AgentException;
import dev.loupe.protocol.CaptureError;
import dev.loupe.protocol.CaptureRequest;
import dev.loupe.protocol.CaptureResult;
import dev.loupe.protocol.Host;
import dev.loupe.protocol.MapKind;
import dev.loupe.protocol.ProcessCapture;
import dev.loupe.protocol.ProcessProgram;
import dev.loupe.protocol.ProcessRequest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Takes a snapshot of processes through an agent: the workstation half of the engine. Per process it reads the
 * binary (runtime layout, pclntab, wait reasons), generates the snapshot program against the agent's kernel
 * facts, and after the agent's capture decodes the records and writes the file. Nothing is written unless every
 * process was captured.
 */
public final class Snapshotter {
    /**
     * @param maxDepth        the most frames per goroutine
     * @param ringBufferBytes the ring buffer per process (drained while the program runs)
     * @param pauseBudget     the longest a process may stay paused
     * @param valueForm       the JSON the captured values are written in: clean, or raw (with addresses)
     */
    public record Options(int maxDepth, int ringBufferBytes, Duration pauseBudget, ValueForm valueForm) {
        public static final Options DEFAULT = new Options(SnapshotProgram.DEFAULT_MAX_DEPTH, 64 << 20, Duration.ofMillis(50));

        /** Options whose values are written in the clean form. */
        public Options(int maxDepth, int ringBufferBytes, Duration pauseBudget) {
            this(maxDepth, ringBufferBytes, pauseBudget, ValueForm.CLEAN);
        }
    }

    /**
     * What a snapshot took, for the summary and the benchmarks.
     *
     * @param file         the snapshot file
     * @param processes    per process: pid, goroutines, pause and its parts
     * @param generateNs   reading the binaries and generating the programs
     * @param captureNs    the agent's part, of which each process's load and pause are reported in {@code processes}
     * @param decodeNs     decoding and symbolising
     * @param writeNs      writing the file
     */
    public record Result(Path file, List<ProcessSummary> processes, long generateNs, long captureNs, long decodeNs, long writeNs) {
        public long goroutines() {
            return processes.stream().mapToLong(ProcessSummary::goroutines).sum();
        }
    }

    /**
     * One process of a {@link Result}; {@code stoppedRealtimeNs} is CLOCK_REALTIME once every thread was stopped, so
     * the pause ran from {@code stoppedRealtimeNs - stopNs} for {@code pauseNs}; {@code recordBytes} and
     * {@code capturedFrames} say how much the program sent, and how many frames it captured values of.
     */
    public record ProcessSummary(int pid, String exePath, long goroutines, long pauseNs, long stopNs, long runNs, long loadNs,
                                 int threads, long lostRecords, long unreadable, long stoppedRealtimeNs, long recordBytes,
                                 long capturedFrames) {}

    /** The steps of a snapshot, in order; a process goes through each in turn. */
    public enum Phase {
        READING("reading binary"), GENERATING("generating"), PAUSING("pausing"), DECODING("decoding"), WRITING("writing");

        private final String title;

        Phase(String title) {
            this.title = title;
        }

        /** What the phase is called in progress displays. */
        public String title() {
            return title;
        }
    }

    /** A step of the snapshot as it happens: its phase and one line saying what it is doing. */
    public record Progress(Phase phase, String line) {}

    private final AgentApi agent;
    private final Options options;
    private final Consumer<Progress> progress;
    private volatile boolean cancelled;

    public Snapshotter(AgentApi agent, Options options, Consumer<Progress> progress) {
        this.agent = agent;
        this.options = options;
        this.progress = progress;
    }

    /**
     * Asks a snapshot under way to stop at its next step: before the pause, or after it but before the file is in
     * place; {@link #take} then throws {@link SnapshotCancelledException} and nothing is written. A pause under way
     * is never cut short: the processes are resumed as they always are.
     */
    public void cancel() {
        cancelled = true;
    }

    private void step(Phase phase, String line) throws SnapshotCancelledException {
        if (cancelled) {
            throw new SnapshotCancelledException(phase.compareTo(Phase.PAUSING) <= 0
                    ? "the snapshot was cancelled before any process was paused; nothing was written"
                    : "the snapshot was cancelled after the pause; nothing was written");
        }
        progress.accept(new Progress(phase, line));
    }

    private record Target(int pid, String exePath, GoBinary binary, RuntimeLayout layout, List<String> waitReasons,
                          SnapshotProgram program, ResolvedSpec resolved, CapturePlan plan) {}

    /** Snapshots {@code pids} into {@code out}, which must not exist: stacks only. */
    public Result take(List<Integer> pids, Path out) throws SnapshotException {
        return take(pids, out, null);
    }

    /**
     * Snapshots {@code pids} into {@code out}, which must not exist, capturing what {@code spec} asks for (null for
     * stacks only), whose YAML the file keeps. The spec is checked against each binary before any process is paused.
     */
    public Result take(List<Integer> pids, Path out, Spec spec) throws SnapshotException {
        if (pids.isEmpty()) {
            throw new SnapshotException("no process to snapshot: give at least one --pid");
        }
        if (Files.exists(out)) {
            throw new SnapshotException(out.toAbsolutePath() + " already exists; choose another name or delete it first");
        }
        List<Target> targets = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            Host host = call(agent::getHost);
            KernelFacts kernel = kernelFacts(host);
            for (int pid : pids) {
                targets.add(prepare(pid, kernel, spec));
            }
            long t1 = System.nanoTime();
            step(Phase.PAUSING, "pausing " + (pids.size() == 1 ? "process " + pids.getFirst() : pids.size() + " processes") + " ...");
            CaptureRequest.Builder request = CaptureRequest.newBuilder().setPauseBudgetNs(options.pauseBudget().toNanos());
            targets.forEach(t -> request.addProcesses(wire(t)));
            CaptureResult captured = call(() -> agent.capture(request.build()));
            long t2 = System.nanoTime();
            for (ProcessCapture p : captured.getProcessesList()) {
                if (p.getError() != CaptureError.CAPTURE_ERROR_UNSPECIFIED) {
                    throw new SnapshotException(p.getMessage());
                }
            }
            return write(host, targets, captured.getProcessesList(), out, spec == null ? null : spec.text(), t1 - t0, t2 - t1);
        } finally {
            targets.forEach(t -> t.binary().close());
        }
    }

    private Target prepare(int pid, KernelFacts kernel, Spec spec) throws SnapshotException {
        dev.loupe.protocol.Process p = call(() -> agent.describeProcess(ProcessRequest.newBuilder().setPid(pid).build()));
        step(Phase.READING, "process " + pid + ": reading " + p.getExePath());
        GoBinary binary;
        try {
            binary = GoBinary.open(Path.of(p.getExeOpenPath()));
        } catch (BinaryFormatException e) {
            throw new SnapshotException("process " + pid + " runs " + p.getExePath() + ", which is not a Go program: " + e.getMessage());
        }
        try {
            Optional<BuildInfo> info = binary.buildInfo();
            if (info.isEmpty()) {
                throw new SnapshotException("process " + pid + " runs " + p.getExePath() + ", which is not a Go program (no Go build info)");
            }
            RuntimeLayout layout = binary.runtimeLayout();
            step(Phase.GENERATING, "process " + pid + ": generating its snapshot program" + (spec == null ? "" : " and capture plan"));
            ResolvedSpec resolved = null;
            CapturePlan plan = CapturePlan.NONE;
            if (spec != null) {
                try {
                    resolved = SpecResolver.resolve(spec, binary);
                } catch (SpecException e) {
                    throw new SnapshotException("the spec does not fit process " + pid + " (" + p.getExePath() + "): " + e.getMessage());
                }
                plan = CapturePlanner.plan(resolved, binary.dwarf(), binary.pclntab(), SnapshotProgram.CAPTURE_BYTES_PER_FRAME);
            }
            SnapshotProgram program = SnapshotProgram.generate(layout, kernel, pid, options.maxDepth(), options.ringBufferBytes(), plan);
            return new Target(pid, p.getExePath(), binary, layout, binary.waitReasons(), program, resolved, plan);
        } catch (UnknownGoVersionException e) {
            binary.close();
            throw new SnapshotException("process " + pid + " (" + p.getExePath() + "): " + e.getMessage());
        } catch (BinaryFormatException | IllegalArgumentException e) {
            binary.close();
            throw new SnapshotException("process " + pid + " (" + p.getExePath() + ") cannot be snapshotted: " + e.getMessage());
        } catch (SnapshotException e) {
            binary.close();
            throw e;
        }
    }

    /** The program as the protocol carries it: map references hold each map's index in the list. */
    private static ProcessProgram wire(Target t) {
        SnapshotProgram sp = t.program();
        Map<String, Integer> index = new HashMap<>();
        ProcessProgram.Builder b = ProcessProgram.newBuilder().setPid(t.pid()).setName("snapshot")
                .setRecordsMap(SnapshotProgram.RECORDS_MAP)
                .setArmMap(SnapshotProgram.ARM_MAP)
                .addReadBackMaps(SnapshotProgram.STATS_MAP);
        for (MapSpec m : sp.maps()) {
            index.put(m.name(), index.size());
            b.addMaps(dev.loupe.protocol.MapSpec.newBuilder().setName(m.name()).setKind(switch (m.kind()) {
                case HASH -> MapKind.MAP_KIND_HASH;
                case ARRAY -> MapKind.MAP_KIND_ARRAY;
                case RINGBUF -> MapKind.MAP_KIND_RINGBUF;
            }).setKeySize(m.keySize()).setValueSize(m.valueSize()).setMaxEntries(m.maxEntries())
                    .addAllValues(m.values().stream().map(ByteString::copyFrom).toList()));
        }
        return b.setInstructions(ByteString.copyFrom(sp.program().encode(index))).build();
    }

    private Result write(Host host, List<Target> targets, List<ProcessCapture> captures, Path out, String specText, long generateNs,
                         long captureNs) throws SnapshotException {
        long decodeNs = 0;
        long start = System.nanoTime();
        List<ProcessSummary> summaries = new ArrayList<>();
        try (SnapshotWriter w = SnapshotWriter.create(out, LoupeVersion.get(), host.getHostname(), specText, options.valueForm())) {
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                ProcessCapture c = captures.get(i);
                step(Phase.DECODING, "process " + t.pid() + ": decoding " + c.getRecordsCount() + " records");
                long decodeStart = System.nanoTime();
                GoroutineDecoder decoder = new GoroutineDecoder(t.layout(), t.waitReasons(), t.binary().pclntab(),
                        t.program().maxDepth(), c.getMonotonicNs(), c.getRealtimeNs());
                List<GoroutineStack> goroutines = new ArrayList<>(c.getRecordsCount());
                CaptureDecoder captured = t.resolved() == null ? null
                        : new CaptureDecoder(t.resolved(), t.plan(), t.binary().dwarf(), t.binary().pclntab(), t.layout(),
                        options.valueForm());
                long unreadable = 0;
                long recordBytes = 0;
                for (ByteString r : c.getRecordsList()) {
                    byte[] record = r.toByteArray();
                    recordBytes += record.length;
                    if (CaptureDecoder.isCapture(record)) {
                        if (captured != null) {
                            captured.add(record);
                        }
                        continue;
                    }
                    Optional<GoroutineStack> g = decoder.decode(record);
                    if (g.isPresent()) {
                        goroutines.add(g.get());
                    } else {
                        unreadable++;
                    }
                }
                List<CaptureDecoder.CapturedFrame> frames = captured == null ? List.of() : captured.frames();
                decodeNs += System.nanoTime() - decodeStart;
                ByteBuffer stats = ByteBuffer.wrap(c.getReadBackOrDefault(SnapshotProgram.STATS_MAP, ByteString.EMPTY).toByteArray())
                        .order(ByteOrder.LITTLE_ENDIAN);
                if (stats.capacity() < GoroutineRecord.STATS_BYTES) {
                    throw new SnapshotException("the agent did not return the snapshot program's counters for process " + t.pid());
                }
                long lost = stats.getLong(GoroutineRecord.STAT_DROPPED) + stats.getLong(GoroutineRecord.STAT_CAPTURES_DROPPED);
                // Every Go process has a main goroutine: none means the program never reached the goroutine list.
                if (stats.getLong(GoroutineRecord.STAT_ALLGLEN) == 0) {
                    throw new SnapshotException("process " + t.pid() + " has exited, or its goroutine list could not be read"
                            + " (runtime.allgs at 0x" + Long.toHexString(t.layout().globals().allgs().orElse(0)) + ")");
                }
                step(Phase.WRITING, "process " + t.pid() + ": " + goroutines.size() + " goroutines, paused "
                        + Durations.format(c.getPauseNs()) + (lost > 0 ? ", " + lost + " records LOST (raise the ring buffer size)" : ""));
                long processId = w.addProcess(new ProcessInfo(t.pid(), host.getHostname(), t.exePath(), buildId(t.binary()),
                        t.layout().goVersion(), c.getRealtimeNs(), c.getPauseNs(), c.getThreads(), lost, unreadable));
                Map<Integer, GoroutineStack> byIndex = new HashMap<>();
                for (GoroutineStack g : goroutines) {
                    w.addGoroutine(processId, g.info(), w.stack(g.frames(), g.truncated()));
                    byIndex.put(g.index(), g);
                }
                if (t.resolved() != null) {
                    writeCaptures(w, t.resolved(), frames, byIndex, processId);
                }
                summaries.add(new ProcessSummary(t.pid(), t.exePath(), goroutines.size(), c.getPauseNs(), c.getStopNs(), c.getRunNs(),
                        c.getLoadNs(), c.getThreads(), lost, unreadable, c.getRealtimeNs(),
                        recordBytes, frames.size()));
            }
            step(Phase.WRITING, "writing " + out.getFileName());
            Path file = w.commit();
            long writeNs = System.nanoTime() - start - decodeNs;
            return new Result(file, List.copyOf(summaries), generateNs, captureNs, decodeNs, writeNs);
        } catch (StoreException e) {
            throw new SnapshotException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new SnapshotException("the agent returned a malformed record: " + e.getMessage(), e);
        }
    }

    /** One row per captured frame, in the function table of its function. */
    private static void writeCaptures(SnapshotWriter w, ResolvedSpec spec, List<CaptureDecoder.CapturedFrame> frames,
                                      Map<Integer, GoroutineStack> goroutines, long processId) {
        List<FunctionTable> tables = new ArrayList<>();
        for (ResolvedFunction f : spec.functions()) {
            FunctionTable t = new FunctionTable(f.function().name(),
                    f.captures().stream().map(c -> new FunctionTable.Capture(c.spec().name(), c.spec().expr(), c.resultType().name())).toList(),
                    f.spec().columns().stream().map(x -> new FunctionTable.Extra(x.name(), x.sql())).toList());
            w.functionTable(t);
            tables.add(t);
        }
        for (CaptureDecoder.CapturedFrame f : frames) {
            GoroutineStack g = goroutines.get(f.goroutine());
            if (g == null || g.depthOf(f.chainIndex()) < f.inlineDepth()) {
                continue;
            }
            // An inlined call's frame comes before the frame of the function it was inlined into.
            int frameIdx = g.depthOf(f.chainIndex()) - f.inlineDepth();
            List<Object> values = new ArrayList<>(f.values().size());
            for (JsonNode v : f.values()) {
                values.add(sqlValue(v));
            }
            w.addCapturedFrame(tables.get(f.function()), processId, g.info().goid(), frameIdx, values);
        }
    }

    /** A captured value as SQL: numbers and strings as themselves (booleans as 0 and 1), anything else as JSON text. */
    private static Object sqlValue(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.asLong();
        }
        if (v.isFloatingPointNumber()) {
            return v.asDouble();
        }
        if (v.isBoolean()) {
            return v.asBoolean() ? 1L : 0L;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        return v.toString();
    }

    private static String buildId(GoBinary b) {
        return b.goBuildId().or(b::gnuBuildId).orElse(null);
    }

    private static KernelFacts kernelFacts(Host host) {
        var k = host.getKernel();
        var f = k.getSignalFrame();
        KernelFacts.SignalFrame signalFrame = k.hasSignalFrame()
                ? new KernelFacts.SignalFrame(f.getTaskAltStackSpOffset(), f.getTaskAltStackSizeOffset(), f.getAltStackSpOffset(),
                        f.getAltStackSizeOffset(), f.getRegsOffsetsList())
                : null;
        return new KernelFacts(k.getIterTaskBtfId(), k.getIterTaskCtxTaskOffset(), k.getTaskPidOffset(), k.getTaskTgidOffset(),
                k.getIterNumNewBtfId(), k.getIterNumNextBtfId(), k.getIterNumDestroyBtfId(), k.getTaskFromPidBtfId(),
                k.getTaskReleaseBtfId(), k.getPtRegsOffsetsList(), signalFrame);
    }

    private interface AgentCall<T> {
        T call() throws AgentException;
    }

    private static <T> T call(AgentCall<T> c) throws SnapshotException {
        try {
            return c.call();
        } catch (AgentException e) {
            throw new SnapshotException(e.getMessage(), e);
        }
    }
}
