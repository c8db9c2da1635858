package dev.loupe.bpf.asm;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One eBPF instruction: the fields of the kernel's {@code struct bpf_insn} plus two pieces of metadata that the
 * encode pass of {@link Program#encode} consumes.
 *
 * <pre>
 *  byte 0   byte 1             bytes 2-3     bytes 4-7
 * +--------+--------+--------+-------------+---------------------+
 * | opcode | src:4  | dst:4  | offset s16  | imm s32             |   little-endian, 8 bytes a slot
 * +--------+--------+--------+-------------+---------------------+
 * </pre>
 * {@code ld_imm64} ({@code BPF_LD | BPF_IMM | BPF_DW}) takes two slots: the second holds the upper 32 bits of the
 * immediate in its {@code imm} and zero elsewhere. This record keeps the whole 64-bit value in {@link #imm}.
 *
 * <p>Builders for the common forms are static methods here and on the operation enums ({@link AluOp},
 * {@link JumpOp}, {@link AtomicOp}). Instances are immutable; {@link #withSymbol} and {@link #withReference}
 * return copies.
 *
 * @param opcode    the opcode byte, 0–255
 * @param dst       the destination register
 * @param src       the source register, or a {@code BPF_PSEUDO_*} marker encoded in the same nibble
 * @param offset    the signed 16-bit offset: memory displacement or jump distance in slots
 * @param imm       the immediate: 32-bit signed, or 64-bit for {@code ld_imm64}
 * @param symbol    the label defined at this instruction, or null
 * @param reference the label this instruction jumps to or calls, or the name of the map it loads; null if none
 */
public record Insn(int opcode, Register dst, Register src, short offset, long imm, String symbol, String reference) {

    /** The size of one instruction slot in bytes. */
    public static final int SLOT_BYTES = 8;

    /** {@code BPF_X}: the second operand is {@code src}, not the immediate. */
    static final int SOURCE_X = 0x08;

    /** {@code BPF_PSEUDO_MAP_FD} in an {@code ld_imm64}'s {@code src}: the immediate is a map fd. */
    public static final Register PSEUDO_MAP_FD = Register.R1;
    /** {@code BPF_PSEUDO_MAP_VALUE}: map fd in the first slot, offset into the map's value in the second. */
    public static final Register PSEUDO_MAP_VALUE = Register.R2;
    /** {@code BPF_PSEUDO_BTF_ID}: the immediate is the BTF id of a kernel variable. */
    public static final Register PSEUDO_BTF_ID = Register.R3;
    /** {@code BPF_PSEUDO_FUNC}: the immediate is the slot distance to a BPF function (e.g. a bpf_loop callback). */
    public static final Register PSEUDO_FUNC = Register.R4;
    /** {@code BPF_PSEUDO_CALL} in a call's {@code src}: a BPF-to-BPF call, immediate = slot distance. */
    public static final Register PSEUDO_CALL = Register.R1;
    /** {@code BPF_PSEUDO_KFUNC_CALL} in a call's {@code src}: the immediate is a kernel function's BTF id. */
    public static final Register PSEUDO_KFUNC_CALL = Register.R2;

    static final int LD_IMM64 = InsnClass.LD.value() | Mode.IMM.value() | Size.DW.value();
    private static final int CALL = InsnClass.JMP.value() | JumpOp.CALL.value();

    public Insn {
        if (opcode < 0 || opcode > 0xff) {
            throw new IllegalArgumentException("opcode " + opcode + " does not fit in a byte");
        }
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(src, "src");
        if (opcode != LD_IMM64 && imm != (int) imm) {
            throw new IllegalArgumentException("immediate " + imm + " does not fit in 32 bits; use Insn.ldImm64");
        }
    }

    /** An instruction without metadata. */
    public Insn(int opcode, Register dst, Register src, short offset, long imm) {
        this(opcode, dst, src, offset, imm, null, null);
    }

    // ---- builders -------------------------------------------------------------------------------------------

    /** {@code dst = imm} (64-bit move of a sign-extended 32-bit immediate). */
    public static Insn mov64Imm(Register dst, int imm) {
        return AluOp.MOV.imm(dst, imm);
    }

    /** {@code dst = src}. */
    public static Insn mov64Reg(Register dst, Register src) {
        return AluOp.MOV.reg(dst, src);
    }

    /** {@code dst = imm}, any 64-bit value ({@code ld_imm64}, two slots). */
    public static Insn ldImm64(Register dst, long imm) {
        return new Insn(LD_IMM64, dst, Register.R0, (short) 0, imm);
    }

    /** {@code dst = map[fd]}: loads the address of the map with this fd ({@code BPF_PSEUDO_MAP_FD}, two slots). */
    public static Insn loadMapFd(Register dst, int fd) {
        return new Insn(LD_IMM64, dst, PSEUDO_MAP_FD, (short) 0, fd);
    }

    /** {@code dst = map[name]}: like {@link #loadMapFd}, the fd filled in by {@link Program#encode(java.util.Map)}. */
    public static Insn loadMap(Register dst, String mapName) {
        return loadMapFd(dst, 0).withReference(mapName);
    }

    /** {@code dst = &label}: the address of a BPF function, for callbacks such as {@code bpf_loop}'s ({@code BPF_PSEUDO_FUNC}). */
    public static Insn loadFunc(Register dst, String label) {
        return new Insn(LD_IMM64, dst, PSEUDO_FUNC, (short) 0, 0).withReference(label);
    }

    /** {@code dst = *(size *)(src + offset)} ({@code BPF_LDX | BPF_MEM}). */
    public static Insn ldx(Size size, Register dst, Register src, int offset) {
        return new Insn(InsnClass.LDX.value() | Mode.MEM.value() | size.value(), dst, src, offset(offset), 0);
    }

    /** {@code *(size *)(dst + offset) = src} ({@code BPF_STX | BPF_MEM}). */
    public static Insn stx(Size size, Register dst, int offset, Register src) {
        return new Insn(InsnClass.STX.value() | Mode.MEM.value() | size.value(), dst, src, offset(offset), 0);
    }

    /** {@code *(size *)(dst + offset) = imm} ({@code BPF_ST | BPF_MEM}); a DW store sign-extends the immediate. */
    public static Insn st(Size size, Register dst, int offset, int imm) {
        return new Insn(InsnClass.ST.value() | Mode.MEM.value() | size.value(), dst, Register.R0, offset(offset), imm);
    }

    /** {@code goto label}. */
    public static Insn ja(String label) {
        return new Insn(InsnClass.JMP.value() | JumpOp.JA.value(), Register.R0, Register.R0, (short) 0, 0)
                .withReference(label);
    }

    /** {@code call helper}: arguments in {@code r1}–{@code r5}, result in {@code r0}. */
    public static Insn call(Helper helper) {
        return new Insn(CALL, Register.R0, Register.R0, (short) 0, helper.id());
    }

    /** {@code call label}: a BPF-to-BPF call ({@code BPF_PSEUDO_CALL}). */
    public static Insn callLabel(String label) {
        return new Insn(CALL, Register.R0, PSEUDO_CALL, (short) 0, 0).withReference(label);
    }

    /** {@code call kfunc}: a kernel function by its BTF id in vmlinux ({@code BPF_PSEUDO_KFUNC_CALL}). */
    public static Insn callKfunc(int btfId) {
        return new Insn(CALL, Register.R0, PSEUDO_KFUNC_CALL, (short) 0, btfId);
    }

    /** {@code exit}: return {@code r0}. */
    public static Insn exit() {
        return new Insn(InsnClass.JMP.value() | JumpOp.EXIT.value(), Register.R0, Register.R0, (short) 0, 0);
    }

    /** Checks that a displacement fits the 16-bit offset field. */
    static short offset(int offset) {
        if (offset != (short) offset) {
            throw new IllegalArgumentException("offset " + offset + " does not fit in 16 bits");
        }
        return (short) offset;
    }

    // ---- metadata -------------------------------------------------------------------------------------------

    /** This instruction with the label {@code name} defined at it. */
    public Insn withSymbol(String name) {
        return new Insn(opcode, dst, src, offset, imm, name, reference);
    }

    /** This instruction referring to the label or map {@code name}. */
    public Insn withReference(String name) {
        return new Insn(opcode, dst, src, offset, imm, symbol, name);
    }

    Insn withOffset(int newOffset) {
        return new Insn(opcode, dst, src, (short) newOffset, imm, symbol, reference);
    }

    Insn withImm(long newImm) {
        return new Insn(opcode, dst, src, offset, newImm, symbol, reference);
    }

    // ---- facts ----------------------------------------------------------------------------------------------

    /** The instruction's class. */
    public InsnClass insnClass() {
        return InsnClass.of(opcode);
    }

    /** True for {@code ld_imm64}, the only instruction that takes two slots. */
    public boolean isLdImm64() {
        return opcode == LD_IMM64;
    }

    /** The number of 8-byte slots this instruction occupies: 2 for {@code ld_imm64}, else 1. */
    public int slots() {
        return isLdImm64() ? 2 : 1;
    }

    /** True for {@code ja} and the conditional jumps, whose target is {@link #offset} slots after the next one. */
    public boolean isJump() {
        if (!insnClass().isJump()) {
            return false;
        }
        return JumpOp.of(opcode).map(op -> op != JumpOp.CALL && op != JumpOp.EXIT).orElse(false);
    }

    /** True for a call of a kernel helper (not a BPF-to-BPF or kfunc call). */
    public boolean isHelperCall() {
        return opcode == CALL && src == Register.R0;
    }

    /** True for a BPF-to-BPF call ({@code BPF_PSEUDO_CALL}). */
    public boolean isPseudoCall() {
        return opcode == CALL && src == PSEUDO_CALL;
    }

    /** Writes this instruction's slot or slots in the kernel's layout, little-endian. */
    void encode(ByteBuffer out) {
        out.put((byte) opcode);
        out.put((byte) (src.number() << 4 | dst.number()));
        out.putShort(offset);
        out.putInt((int) imm);
        if (isLdImm64()) {
            out.putLong((imm >>> 32) << 32);
        }
    }

    /** The instruction as one listing line without slot index or label, e.g. {@code r0 = 0}. */
    @Override
    public String toString() {
        return Disassembler.mnemonic(this, Disassembler.Targets.NONE, -1);
    }
}
