package dev.loupe.agent.doctor;

import dev.loupe.agent.internal.sys.BpfException;
import dev.loupe.agent.internal.sys.SysException;
import dev.loupe.testkit.Gate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every check for real, as root; and what each says when the kernel refuses. */
class DoctorTest {
    static final List<Check> CHECKS = Doctor.CHECKS;

    @ParameterizedTest
    @FieldSource("CHECKS")
    void passesAsRoot(Check check) {
        Gate.requireRoot();
        Finding f = Doctor.attempt(check, new Host());
        if (check instanceof GoToolchainCheck) {
            // A host without Go is fine: only the target-building tests need one.
            assertNotEquals(Finding.Status.MISSING, f.status(), f.toString());
        } else {
            assertEquals(Finding.Status.OK, f.status(), f.toString());
        }
        assertEquals(check.name(), f.check());
        assertEquals(check.required(), f.required());
    }

    @Test
    void runsEveryCheckInAFixedOrder() {
        Gate.requireRoot();
        List<Finding> findings = Doctor.run();
        assertEquals(List.of("kernel", "bpf", "ring buffer", "uprobe PMU", "task iterator", "BTF", "ptrace",
                "privileges", "Go toolchains"), findings.stream().map(Finding::check).toList());
        assertTrue(findings.stream().noneMatch(Finding::blocksSnapshot), findings::toString);
    }

    @Test
    void snapshotsNeedTheKernelFeaturesButNotUprobesGoOrCapabilities() {
        assertEquals(List.of("kernel", "bpf", "ring buffer", "task iterator", "BTF", "ptrace"),
                CHECKS.stream().filter(Check::required).map(Check::name).toList());
    }

    @ParameterizedTest
    @FieldSource("CHECKS")
    void aRefusedBpfCallBecomesAMissingFindingWithAPrivilegeRemedy(Check check) {
        SysException refused = check instanceof PtraceCheck
                ? new SysException("ptrace PTRACE_SEIZE", 1) : new BpfException("BPF_PROG_LOAD", 1);
        String remedy = check.remedy(refused);
        assertTrue(remedy.startsWith("run as root, or grant CAP_"), remedy);
        assertEquals(check instanceof PtraceCheck ? Check.PTRACE_PRIVILEGE : Check.BPF_PRIVILEGE, remedy);
    }

    @Test
    void theTaskIteratorProgramReadsTheTaskCopiesAndWrites() {
        var offsets = new TaskIteratorCheck.Offsets(0, 8, 0, 2500);
        assertEquals("""
                   0: r6 = r1
                   1: r7 = *(u64 *)(r6 +8)
                   2: if r7 == 0x0 goto +17 <exit>
                   3: r1 = *(u32 *)(r7 +2500)
                   4: if r1 != 0x1234 goto +15 <exit>
                   5: r1 = r10
                   6: r1 += -8
                   7: r2 = 8
                   8: r3 = 0x7f0000001000 ll
                  10: r4 = r7
                  11: r5 = 0
                  12: call bpf_copy_from_user_task#191
                  13: if r0 != 0x0 goto +6 <exit>
                  14: r1 = *(u64 *)(r6 +0)
                  15: r1 = *(u64 *)(r1 +0)
                  16: r2 = r10
                  17: r2 += -8
                  18: r3 = 8
                  19: call bpf_seq_write#127
                exit:
                  20: r0 = 0
                  21: exit
                """, TaskIteratorCheck.program(offsets, 0x7f00_0000_1000L, 0x1234).toString());
    }

    @Test
    void uprobesNeedSysAdminOnCurrentKernels() {
        assertEquals(UprobeCheck.UPROBE_PRIVILEGE, new UprobeCheck().remedy(new SysException("perf_event_open", 13)));
    }

    @Test
    void failuresAreDescribedInOneLine() {
        assertEquals("BPF_MAP_CREATE: EPERM (Operation not permitted): needs root or CAP_BPF (and CAP_PERFMON for "
                + "tracing programs)", Doctor.describe(new BpfException("BPF_MAP_CREATE", 1)));
        assertEquals("no /sys/kernel/btf/vmlinux",
                Doctor.describe(new java.nio.file.NoSuchFileException("/sys/kernel/btf/vmlinux")));
        assertEquals("IllegalStateException", Doctor.describe(new IllegalStateException()));
    }

    /** Everything a check opens is closed again: fds, mappings, child processes. */
    @Test
    void leavesNothingBehindAfterTwoHundredRuns() throws IOException {
        Gate.requireRoot();
        Doctor.run();
        Snapshot before = Snapshot.take();
        for (int i = 0; i < 200; i++) {
            Doctor.run();
        }
        assertEquals(before, Snapshot.take());
    }

    /** What this JVM holds: open fds, BPF mappings, live children. */
    record Snapshot(long fds, long bpfMappings, List<String> children) {
        static Snapshot take() throws IOException {
            long fds;
            try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                fds = s.count();
            }
            long mappings;
            try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
                mappings = lines.filter(l -> l.contains("bpf")).count();
            }
            List<String> children;
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                children = tasks.map(t -> t.resolve("children")).flatMap(DoctorTest::words).toList();
            }
            return new Snapshot(fds, mappings, children);
        }
    }

    private static Stream<String> words(Path file) {
        try {
            return Stream.of(Files.readString(file).split("\\s+")).filter(w -> !w.isEmpty());
        } catch (IOException e) {
            return Stream.empty();   // the thread ended while we listed it
        }
    }
}
