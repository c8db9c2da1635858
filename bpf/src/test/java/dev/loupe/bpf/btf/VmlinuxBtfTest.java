package dev.loupe.bpf.btf;

import dev.loupe.testkit.Gate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Known facts about the running kernel's BTF. */
class VmlinuxBtfTest {
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    private static Btf btf;

    @BeforeAll
    static void read() throws IOException {
        Gate.require(Files.isReadable(VMLINUX), VMLINUX + " is not readable (kernel without CONFIG_DEBUG_INFO_BTF?)");
        btf = Btf.read(VMLINUX);
    }

    @Test
    void hasTensOfThousandsOfTypes() {
        assertTrue(btf.typeCount() > 10_000, "types: " + btf.typeCount());
    }

    @Test
    void bpfIterTaskIsAFunctionTakingMetaAndTask() {
        int id = btf.findTypeId("bpf_iter_task", BtfKind.FUNC).orElseThrow();
        BtfType.Func func = assertInstanceOf(BtfType.Func.class, btf.type(id));
        BtfType.FuncProto proto = assertInstanceOf(BtfType.FuncProto.class, btf.type(func.proto()));
        assertEquals("meta", proto.params().get(0).name());
        assertEquals("task", proto.params().get(1).name());
    }

    @Test
    void taskStructHasPidThenTgid() {
        BtfType.Member pid = btf.findMember("task_struct", "pid").orElseThrow();
        BtfType.Member tgid = btf.findMember("task_struct", "tgid").orElseThrow();
        assertEquals(pid.byteOffset() + 4, tgid.byteOffset());
        assertEquals("pid_t", btf.name(tgid.type()));
        assertEquals(BtfKind.INT, btf.kind(btf.skipModifiers(tgid.type())));
    }

    @Test
    void iteratorContextHasMetaThenTask() {
        assertEquals(0, btf.findMember("bpf_iter__task", "meta").orElseThrow().byteOffset());
        assertEquals(8, btf.findMember("bpf_iter__task", "task").orElseThrow().byteOffset());
        assertEquals(0, btf.findMember("bpf_iter_meta", "seq").orElseThrow().byteOffset());
    }

    @Test
    void taskStructFlagsAreOneBitBitfields() {
        BtfType.Member inExecve = btf.findMember("task_struct", "in_execve").orElseThrow();
        assertTrue(inExecve.isBitfield());
        assertEquals(1, inExecve.bitfieldSize());
        BtfType.Member vruntime = btf.findMember("task_struct", "se.vruntime").orElseThrow();
        assertEquals(0, vruntime.bitOffset() % 64);
    }
}
