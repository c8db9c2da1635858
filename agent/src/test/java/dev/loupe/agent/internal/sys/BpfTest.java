package dev.loupe.agent.internal.sys;

import dev.loupe.bpf.asm.Assembler;
import dev.loupe.bpf.asm.Helper;
import dev.loupe.bpf.asm.Insn;
import dev.loupe.bpf.asm.Program;
import dev.loupe.testkit.Gate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static dev.loupe.bpf.asm.Register.R0;
import static dev.loupe.bpf.asm.Register.R1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bpf(2) commands against the running kernel. */
class BpfTest {

    @BeforeEach
    void root() {
        Gate.requireRoot();
    }

    @Test
    void verifierRejectionCarriesTheReasonAndTheFullLog() {
        Program noReturnValue = new Assembler().emit(Insn.exit()).build();
        VerifierException e = assertThrows(VerifierException.class,
                () -> Bpf.progLoad(ProgramSpec.of(Bpf.ProgType.SOCKET_FILTER, "loupe_bad", noReturnValue)));
        assertEquals("BPF_PROG_LOAD loupe_bad: EACCES (Permission denied): verifier: R0 !read_ok (at 0: (95) exit)",
                e.getMessage());
        assertTrue(e.log().contains("processed 1 insns"), e.log());
        assertEquals("BPF_PROG_LOAD", e.operation());
    }

    @Test
    void verifierNamesAHelperTheProgramTypeMayNotCall() {
        Program sleepableOnly = new Assembler()
                .emit(Insn.call(Helper.COPY_FROM_USER_TASK), Insn.mov64Imm(R0, 0), Insn.exit()).build();
        VerifierException e = assertThrows(VerifierException.class,
                () -> Bpf.progLoad(ProgramSpec.of(Bpf.ProgType.SOCKET_FILTER, "loupe_bad", sleepableOnly)));
        assertTrue(e.getMessage().contains("bpf_copy_from_user_task"), e.getMessage());
    }

    @Test
    void programInfoReportsNameAndJit() throws Exception {
        Program p = new Assembler().emit(Insn.mov64Imm(R0, 0), Insn.exit()).build();
        try (Fd prog = Bpf.progLoad(ProgramSpec.of(Bpf.ProgType.SOCKET_FILTER, "loupe_info", p))) {
            Bpf.ProgInfo info = Bpf.progInfo(prog);
            assertEquals("loupe_info", info.name());
            assertEquals(16, info.xlatedBytes());
            assertTrue(info.id() > 0);
            assertEquals(0, Bpf.testRun(prog, new byte[64]).retval());
        }
    }

    @Test
    void mapsStoreAndReturnValues() throws Exception {
        try (Fd hash = Bpf.mapCreate(Bpf.MapType.HASH, "loupe_test_h", 4, 8, 16)) {
            byte[] key = {1, 0, 0, 0};
            byte[] value = {1, 2, 3, 4, 5, 6, 7, 8};
            assertEquals(Optional.empty(), Bpf.mapLookup(hash, key, 8));
            Bpf.mapUpdate(hash, key, value);
            assertArrayEquals(value, Bpf.mapLookup(hash, key, 8).orElseThrow());
        }
    }

    @Test
    void aFailedCommandNamesItselfAndTheErrno() {
        BpfException e = assertThrows(BpfException.class,
                () -> Bpf.mapCreate(Bpf.MapType.RINGBUF, "loupe_bad_rb", 0, 0, 1000));
        assertEquals("BPF_MAP_CREATE: EINVAL (Invalid argument)", e.getMessage());
    }

    @Test
    void closingAnFdTwiceIsHarmlessAndUseAfterCloseFails() throws Exception {
        Fd map = Bpf.mapCreate(Bpf.MapType.ARRAY, "loupe_test_a", 4, 8, 1);
        map.close();
        map.close();
        assertFalse(map.toString().contains("fd "));
        assertThrows(IllegalStateException.class, map::raw);
    }

    @Test
    void programsMayReferToMapsOnlyByKnownNames() {
        Program p = new Assembler().emit(Insn.loadMap(R1, "missing"), Insn.mov64Imm(R0, 0), Insn.exit()).build();
        assertThrows(dev.loupe.bpf.asm.AsmException.class,
                () -> Bpf.progLoad(ProgramSpec.of(Bpf.ProgType.SOCKET_FILTER, "loupe_bad", p)));
    }
}
