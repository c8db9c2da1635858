package dev.loupe.agent;

import dev.loupe.agent.capture.ProgramRun;
import dev.loupe.agent.internal.sys.Procfs;
import dev.loupe.bpf.btf.Btf;
import dev.loupe.bpf.btf.BtfException;
import dev.loupe.protocol.AgentApi;
import dev.loupe.protocol.AgentException;
import dev.loupe.protocol.CaptureRequest;
import dev.loupe.protocol.CaptureResult;
import dev.loupe.protocol.Host;
import dev.loupe.protocol.KernelFacts;
import dev.loupe.protocol.SignalFrame;
import dev.loupe.protocol.Process;
import dev.loupe.protocol.ProcessProgram;
import dev.loupe.protocol.ProcessRequest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/** The agent, in the workstation's own process: the same {@link AgentApi} a remote agent serves over gRPC. */
public final class LocalAgent implements AgentApi {
    private static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");
    private volatile Host host;

    @Override
    public Host getHost() throws AgentException {
        Host h = host;
        if (h == null) {
            host = h = readHost();
        }
        return h;
    }

    private static Host readHost() throws AgentException {
        dev.loupe.bpf.btf.KernelFacts k;
        try {
            k = dev.loupe.bpf.btf.KernelFacts.of(Btf.read(VMLINUX_BTF));
        } catch (NoSuchFileException e) {
            throw new AgentException("this kernel has no BTF at " + VMLINUX_BTF + " (CONFIG_DEBUG_INFO_BTF): Linux 6.4 or newer with BTF is needed");
        } catch (IOException | BtfException e) {
            throw new AgentException("cannot read the kernel's BTF at " + VMLINUX_BTF + ": " + e.getMessage());
        } catch (NoSuchElementException e) {
            throw new AgentException(e.getMessage());
        }
        KernelFacts.Builder facts = KernelFacts.newBuilder();
        if (k.signalFrame() != null) {
            var f = k.signalFrame();
            facts.setSignalFrame(SignalFrame.newBuilder()
                    .setTaskAltStackSpOffset(f.taskAltStackSp())
                    .setTaskAltStackSizeOffset(f.taskAltStackSize())
                    .setAltStackSpOffset(f.altStackSp())
                    .setAltStackSizeOffset(f.altStackSize())
                    .addAllRegsOffsets(f.regs()));
        }
        return Host.newBuilder()
                .setHostname(Procfs.sysctl("kernel.hostname").orElse(""))
                .setKernelRelease(Procfs.sysctl("kernel.osrelease").orElse(""))
                .setKernel(facts
                        .setIterTaskBtfId(k.iterTask())
                        .setIterTaskCtxTaskOffset(k.ctxTask())
                        .setTaskPidOffset(k.taskPid())
                        .setTaskTgidOffset(k.taskTgid())
                        .setIterNumNewBtfId(k.iterNumNew())
                        .setIterNumNextBtfId(k.iterNumNext())
                        .setIterNumDestroyBtfId(k.iterNumDestroy())
                        .setTaskFromPidBtfId(k.taskFromPid())
                        .setTaskReleaseBtfId(k.taskRelease())
                        .addAllPtRegsOffsets(k.ptRegs()))
                .build();
    }

    @Override
    public Process describeProcess(ProcessRequest request) throws AgentException {
        int pid = request.getPid();
        Path proc = Path.of("/proc", Integer.toString(pid));
        if (pid <= 0 || !Files.isDirectory(proc)) {
            throw new AgentException("no process " + pid + " on " + getHost().getHostname() + "; check the pid (e.g. with pgrep)");
        }
        Process.Builder p = Process.newBuilder().setPid(pid).setExeOpenPath(proc.resolve("exe").toString());
        try {
            p.setExePath(Files.readSymbolicLink(proc.resolve("exe")).toString());
        } catch (AccessDeniedException e) {
            throw new AgentException("no permission to inspect process " + pid + "; run as root, or with CAP_SYS_PTRACE, CAP_BPF and CAP_PERFMON");
        } catch (NoSuchFileException e) {
            throw new AgentException("process " + pid + " has exited, or is a kernel thread without an executable");
        } catch (IOException e) {
            throw new AgentException("cannot read /proc/" + pid + "/exe: " + e.getMessage());
        }
        try {
            for (String arg : new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).split("\0")) {
                p.addCmdline(arg);
            }
            try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
                p.setThreads((int) tasks.count());
            }
        } catch (IOException e) {
            throw new AgentException("process " + pid + " has exited");
        }
        return p.build();
    }

    @Override
    public CaptureResult capture(CaptureRequest request) throws AgentException {
        if (request.getPauseBudgetNs() <= 0) {
            throw new AgentException("the pause budget must be positive");
        }
        int iterTask = getHost().getKernel().getIterTaskBtfId();
        CaptureResult.Builder result = CaptureResult.newBuilder();
        for (ProcessProgram p : request.getProcessesList()) {
            result.addProcesses(new ProgramRun(p, iterTask, Duration.ofNanos(request.getPauseBudgetNs())).run());
        }
        return result.build();
    }
}
