package dev.loupe.agent.internal.sys;

import dev.loupe.bpf.asm.AluOp;
import dev.loupe.bpf.asm.Assembler;
import dev.loupe.bpf.asm.Helper;
import dev.loupe.bpf.asm.Insn;
import dev.loupe.bpf.asm.JumpOp;
import dev.loupe.bpf.asm.Size;
import dev.loupe.testkit.Gate;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static dev.loupe.bpf.asm.Register.R0;
import static dev.loupe.bpf.asm.Register.R1;
import static dev.loupe.bpf.asm.Register.R2;
import static dev.loupe.bpf.asm.Register.R3;
import static dev.loupe.bpf.asm.Register.R4;
import static dev.loupe.bpf.asm.Register.RFP;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RingBufferTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Against the kernel: records of several sizes, one reserved and discarded in between, come out in order. */
    @Test
    void readsSeveralKernelRecordsInOrderAndSkipsDiscarded() throws Exception {
        Gate.requireRoot();
        Assembler asm = new Assembler();
        // Stack: bytes 01..18 at fp-24..fp-1, so a record of n bytes is 01 02 .. n.
        for (int i = 0; i < 3; i++) {
            long word = 0;
            for (int b = 7; b >= 0; b--) {
                word = word << 8 | (i * 8 + b + 1);
            }
            asm.emit(Insn.ldImm64(R1, word), Insn.stx(Size.DW, RFP, -24 + i * 8, R1));
        }
        for (int size : new int[] {1, 8, 13}) {
            asm.emit(Insn.loadMap(R1, "rb"), Insn.mov64Reg(R2, RFP), AluOp.ADD.imm(R2, -24),
                    Insn.mov64Imm(R3, size), Insn.mov64Imm(R4, 0), Insn.call(Helper.RINGBUF_OUTPUT));
            if (size == 8) {
                asm.emit(Insn.loadMap(R1, "rb"), Insn.mov64Imm(R2, 16), Insn.mov64Imm(R3, 0))
                        .emit(Insn.call(Helper.RINGBUF_RESERVE))
                        .emit(JumpOp.JEQ.imm(R0, 0, "none"))
                        .emit(Insn.mov64Reg(R1, R0), Insn.mov64Imm(R2, 0), Insn.call(Helper.RINGBUF_DISCARD))
                        .label("none");
            }
        }
        asm.emit(Insn.mov64Imm(R0, 0), Insn.exit());

        int size = (int) Math.max(4096, Syscalls.pageSize());
        try (Fd map = Bpf.mapCreate(Bpf.MapType.RINGBUF, "loupe_test_rb", 0, 0, size);
             Fd prog = Bpf.progLoad(ProgramSpec.of(Bpf.ProgType.SOCKET_FILTER, "loupe_test_rb", asm.build(), Map.of("rb", map.raw())));
             RingBuffer ring = RingBuffer.map(map, size)) {
            List<String> seen = new ArrayList<>();
            for (int run = 0; run < 2; run++) {
                Bpf.testRun(prog, new byte[64]);
                assertEquals(3, ring.poll(r -> seen.add(HEX.formatHex(r.toArray(ValueLayout.JAVA_BYTE)))));
            }
            assertEquals(List.of("01", "0102030405060708", "0102030405060708090a0b0c0d",
                    "01", "0102030405060708", "0102030405060708090a0b0c0d"), seen);
            assertEquals(0, ring.poll(r -> seen.add("more")));
        }
    }

    /** Without a kernel: a hand-made buffer with a discarded record, a record that wraps, and a busy one. */
    @Test
    void stopsAtBusyRecordsSkipsDiscardedOnesAndReadsAcrossTheWrap() {
        long size = 64;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment consumer = arena.allocate(8, 8);
            MemorySegment producer = arena.allocate(8, 8);
            MemorySegment data = arena.allocate(2 * size, 8);
            consumer.set(ValueLayout.JAVA_LONG, 0, 32);                    // start near the end
            long pos = 32;
            pos = record(data, size, pos, 4, RingBuffer.DISCARD_BIT, 0xAA);  // 32..48, discarded
            pos = record(data, size, pos, 12, 0, 0xBB);                      // 48..72: wraps
            pos = record(data, size, pos, 3, RingBuffer.BUSY_BIT, 0xCC);     // 72..: still being written
            producer.set(ValueLayout.JAVA_LONG, 0, pos);
            RingBuffer ring = new RingBuffer(consumer, producer, data, size, () -> { });
            List<String> seen = new ArrayList<>();
            assertEquals(1, ring.poll(r -> seen.add(HEX.formatHex(r.toArray(ValueLayout.JAVA_BYTE)))));
            assertEquals(List.of("bbbbbbbbbbbbbbbbbbbbbbbb"), seen);
            assertEquals(72, consumer.get(ValueLayout.JAVA_LONG, 0));

            data.set(ValueLayout.JAVA_INT, 72 % size, 3);                   // the producer commits it
            data.set(ValueLayout.JAVA_INT, 72 % size + size, 3);
            assertEquals(1, ring.poll(r -> seen.add(HEX.formatHex(r.toArray(ValueLayout.JAVA_BYTE)))));
            assertEquals("cccccc", seen.getLast());
            assertEquals(88, consumer.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    /** Writes a record the way the kernel does, into both views of the double mapping; returns the next position. */
    private static long record(MemorySegment data, long size, long pos, int length, int flags, int fill) {
        long total = (length + RingBuffer.HEADER_BYTES + 7) & ~7L;
        byte[] bytes = new byte[(int) total];
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(length | flags);
        Arrays.fill(bytes, RingBuffer.HEADER_BYTES, RingBuffer.HEADER_BYTES + length, (byte) fill);
        for (int i = 0; i < total; i++) {
            long at = (pos + i) % size;
            data.set(ValueLayout.JAVA_BYTE, at, bytes[i]);
            data.set(ValueLayout.JAVA_BYTE, at + size, bytes[i]);
        }
        return pos + total;
    }
}
