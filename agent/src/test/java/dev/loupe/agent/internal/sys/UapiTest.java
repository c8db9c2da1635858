package dev.loupe.agent.internal.sys;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The layouts against offsets read off the uapi headers (pahole of {@code union bpf_attr}). */
class UapiTest {

    @Test
    void bpfAttrMembersHaveTheKernelsOffsetsAndSizes() {
        StructLayout load = Uapi.BpfCmd.PROG_LOAD.layout();
        assertEquals(48, offset(load, "prog_name"));
        assertEquals(68, offset(load, "expected_attach_type"));
        assertEquals(108, offset(load, "attach_btf_id"));
        assertEquals(140, offset(load, "log_true_size"));
        assertEquals(144, load.byteSize());
        assertEquals(64, offset(Uapi.BpfCmd.MAP_CREATE.layout(), "map_extra"));
        assertEquals(28, offset(Uapi.BpfCmd.MAP_CREATE.layout(), "map_name"));
        assertEquals(8, offset(Uapi.BpfCmd.MAP_UPDATE_ELEM.layout(), "key"));
        assertEquals(32, Uapi.BpfCmd.MAP_UPDATE_ELEM.layout().byteSize());
        assertEquals(36, offset(Uapi.BpfCmd.PROG_TEST_RUN.layout(), "duration"));
        assertEquals(80, Uapi.BpfCmd.PROG_TEST_RUN.layout().byteSize());
        assertEquals(16, offset(Uapi.BpfCmd.LINK_CREATE.layout(), "target.iter.iter_info"));
        assertEquals(24, offset(Uapi.BpfCmd.LINK_CREATE.layout(), "target.iter.iter_info_len"));
        assertEquals(16, offset(Uapi.BpfCmd.LINK_CREATE.layout(), "target.perf_event.bpf_cookie"));
        assertEquals(16, offset(Uapi.BPF_PROG_INFO, "jited_prog_len"));
        assertEquals(64, offset(Uapi.BPF_PROG_INFO, "name"));
        assertEquals(4, offset(Uapi.BPF_ITER_LINK_INFO_TASK, "pid"));
        assertEquals(16, Uapi.BPF_ITER_LINK_INFO_TASK.byteSize());
    }

    @Test
    void perfEventAttrIsVersionOne() {
        assertEquals(40, offset(Uapi.PERF_EVENT_ATTR, "flags"));
        assertEquals(56, offset(Uapi.PERF_EVENT_ATTR, "uprobe_path"));
        assertEquals(64, offset(Uapi.PERF_EVENT_ATTR, "probe_offset"));
        assertEquals(72, Uapi.PERF_EVENT_ATTR.byteSize());
    }

    @Test
    void structChecksFieldWidthsAndTruncatesNames() {
        try (Arena arena = Arena.ofConfined()) {
            Struct s = new Struct(arena, Uapi.BpfCmd.PROG_LOAD.layout());
            s.set("insn_cnt", 0xffff_ffffL).set("prog_flags", -1);
            assertEquals(0xffff_ffffL, s.get("insn_cnt"));
            assertEquals("4294967296 does not fit the 32-bit field insn_cnt",
                    assertThrows(IllegalArgumentException.class, () -> s.set("insn_cnt", 1L << 32)).getMessage());
            s.setString("prog_name", "a_name_much_longer_than_sixteen");
            assertEquals("a_name_much_lon", s.getString("prog_name"));
            assertThrows(IllegalArgumentException.class, () -> s.set("no_such_field", 1));
        }
    }

    private static long offset(MemoryLayout layout, String path) {
        return layout.byteOffset(Arrays.stream(path.split("\\."))
                .map(MemoryLayout.PathElement::groupElement).toArray(MemoryLayout.PathElement[]::new));
    }
}
