package dev.loupe.bpf.asm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sequence of instructions, as loaded by {@code BPF_PROG_LOAD}. {@link #encode} is the single pass that turns
 * labels into jump offsets and map names into fds; {@link #toString} is the disassembly.
 *
 * @param insns the instructions in order; symbols and references are carried as metadata
 */
public record Program(List<Insn> insns) {

    public Program {
        insns = List.copyOf(insns);
    }

    /** The number of 8-byte slots, which is what the kernel calls {@code insn_cnt}. */
    public int slots() {
        int n = 0;
        for (Insn insn : insns) {
            n += insn.slots();
        }
        return n;
    }

    /** Encodes a program that references no maps. */
    public byte[] encode() {
        return encode(Map.of());
    }

    /**
     * Encodes to the kernel's byte layout: 8-byte little-endian slots. Jump, call and function references
     * become slot distances; map references ({@link Insn#loadMap}) become the fds given here.
     *
     * @param mapFds the fd of each map referenced by name
     * @throws AsmException on a duplicate or missing label, a jump out of range, or a map without an fd
     */
    public byte[] encode(Map<String, Integer> mapFds) {
        Map<String, Integer> labels = new HashMap<>();
        int[] slotOf = new int[insns.size()];
        int slot = 0;
        for (int i = 0; i < insns.size(); i++) {
            Insn insn = insns.get(i);
            slotOf[i] = slot;
            if (insn.symbol() != null) {
                Integer first = labels.putIfAbsent(insn.symbol(), slot);
                if (first != null) {
                    throw new AsmException(slot, "duplicate label '" + insn.symbol() + "' (first at insn " + first + ")");
                }
            }
            slot += insn.slots();
        }
        ByteBuffer out = ByteBuffer.allocate(slot * Insn.SLOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < insns.size(); i++) {
            resolve(insns.get(i), slotOf[i], labels, mapFds).encode(out);
        }
        return out.array();
    }

    private static Insn resolve(Insn insn, int slot, Map<String, Integer> labels, Map<String, Integer> mapFds) {
        String ref = insn.reference();
        if (ref == null) {
            return insn;
        }
        if (insn.isLdImm64() && insn.src() == Insn.PSEUDO_MAP_FD) {
            Integer fd = mapFds.get(ref);
            if (fd == null) {
                throw new AsmException(slot, "no fd for map '" + ref + "'");
            }
            return insn.withImm(fd);
        }
        boolean viaImm = insn.isPseudoCall() || (insn.isLdImm64() && insn.src() == Insn.PSEUDO_FUNC)
                || (insn.isJump() && insn.insnClass() == InsnClass.JMP32 && JumpOp.of(insn.opcode()).orElseThrow() == JumpOp.JA);
        if (!viaImm && !insn.isJump()) {
            throw new AsmException(slot, "reference '" + ref + "' on an instruction that takes none: " + insn);
        }
        Integer target = labels.get(ref);
        if (target == null) {
            throw new AsmException(slot, (insn.isJump() ? "jump to" : "reference to") + " unknown label '" + ref + "'");
        }
        int distance = target - (slot + 1);
        if (viaImm) {
            return insn.withImm(distance);
        }
        if (distance != (short) distance) {
            throw new AsmException(slot, "jump to '" + ref + "' is " + distance + " slots away, beyond the 16-bit offset");
        }
        return insn.withOffset(distance);
    }

    /**
     * Decodes the kernel's byte layout, e.g. a program dumped by {@code BPF_OBJ_GET_INFO_BY_FD}. The result has
     * numeric offsets and no labels.
     *
     * @throws AsmException when the bytes are not a whole number of valid slots
     */
    public static Program decode(byte[] bytes) {
        if (bytes.length % Insn.SLOT_BYTES != 0) {
            throw new AsmException(-1, "program of " + bytes.length + " bytes is not a whole number of 8-byte slots");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int slots = bytes.length / Insn.SLOT_BYTES;
        List<Insn> insns = new ArrayList<>(slots);
        for (int slot = 0; slot < slots; slot++) {
            int opcode = in.get() & 0xff;
            int regs = in.get() & 0xff;
            short offset = in.getShort();
            long imm = in.getInt();
            Register dst = register(slot, "dst", regs & 0x0f);
            Register src = register(slot, "src", regs >>> 4);
            if (opcode == Insn.LD_IMM64) {
                if (slot + 1 >= slots) {
                    throw new AsmException(slot, "ld_imm64 without its second slot");
                }
                long second = in.getLong();
                if ((second & 0xffff_ffffL) != 0) {
                    throw new AsmException(slot, "second slot of ld_imm64 must have zero opcode, registers and offset");
                }
                imm = (second & 0xffff_ffff_0000_0000L) | (imm & 0xffff_ffffL);
                slot++;
            }
            insns.add(new Insn(opcode, dst, src, offset, imm));
        }
        return new Program(insns);
    }

    /**
     * Binds a program encoded with map indexes in place of fds ({@code encode(Map)} given each map's position in a
     * list, as the agent protocol sends programs) to the fds of those maps, in the same order.
     *
     * @throws AsmException when the bytes are not whole slots, or a reference names an index beyond {@code fds}
     */
    public static byte[] bindMaps(byte[] encoded, int[] fds) {
        if (encoded.length % Insn.SLOT_BYTES != 0) {
            throw new AsmException(-1, "program of " + encoded.length + " bytes is not a whole number of 8-byte slots");
        }
        byte[] out = encoded.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int slots = out.length / Insn.SLOT_BYTES;
        for (int slot = 0; slot < slots; slot++) {
            int at = slot * Insn.SLOT_BYTES;
            if ((b.get(at) & 0xff) != Insn.LD_IMM64) {
                continue;
            }
            if ((b.get(at + 1) & 0xff) >>> 4 == Insn.PSEUDO_MAP_FD.number()) {
                int index = b.getInt(at + 4);
                if (index < 0 || index >= fds.length) {
                    throw new AsmException(slot, "map reference " + index + " but the program has " + fds.length + " maps");
                }
                b.putInt(at + 4, fds[index]);
            }
            slot++;
        }
        return out;
    }

    private static Register register(int slot, String which, int number) {
        if (number > Register.R10.number()) {
            throw new AsmException(slot, "invalid " + which + " register r" + number);
        }
        return Register.of(number);
    }

    /** The disassembly: one line per instruction with its slot index, and a line per label. */
    @Override
    public String toString() {
        return Disassembler.format(this);
    }
}
