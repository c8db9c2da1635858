package dev.loupe.dwarf.op;

import dev.loupe.dwarf.internal.Leb128;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates DWARF location expressions (DWARF 5 §2.5, §2.6) symbolically, without target
 * memory or registers: the answer is "in register R", "at CFA+N", "at [reg+N]", pieces, and so
 * on. Go emits {@code DW_OP_reg*}, {@code DW_OP_call_frame_cfa}, {@code DW_OP_fbreg},
 * {@code DW_OP_consts}/{@code plus}, {@code DW_OP_addr}, {@code DW_OP_deref} and {@code DW_OP_piece}
 * ({@code cmd/compile/internal/ssa/debug.go}, {@code cmd/compile/internal/dwarfgen}); the rest of
 * the stack machine is evaluated while its operands are constants.
 *
 * <p>Never throws: bad bytes, an op that needs memory or a runaway branch loop become a
 * {@link Location.Problem}. Every evaluation has a step budget.
 */
public final class Expressions {
    /** Steps before giving up: branches make loops possible. */
    private static final int STEP_BUDGET = 10_000;
    private static final int STACK_LIMIT = 1_000;

    /** The frame base of Go functions ({@code DW_OP_call_frame_cfa}). */
    public static final Location GO_FRAME_BASE = new Location.CfaOffset(0);

    private Expressions() {}

    /** A symbolic stack value: a constant, or a base (CFA, a register's contents) plus an offset. */
    private record Sym(Kind kind, int register, long value, Location pointer) {
        enum Kind { CONST, CFA, REG, INDIRECT }

        Sym(Kind kind, int register, long value) {
            this(kind, register, value, null);
        }

        static Sym constant(long v) {
            return new Sym(Kind.CONST, -1, v);
        }

        Sym plus(long n) {
            return new Sym(kind, register, value + n, pointer);
        }

        /** The value loaded from the memory this one addresses. */
        Sym deref() {
            return new Sym(Kind.INDIRECT, -1, 0, asMemory());
        }

        Location asMemory() {
            return switch (kind) {
                case CONST -> new Location.Address(value);
                case CFA -> new Location.CfaOffset(value);
                case REG -> new Location.RegisterOffset(register, value);
                case INDIRECT -> new Location.Indirect(pointer, value);
            };
        }
    }

    /** Thrown inside the evaluator only; turned into a {@link Location.Problem}. */
    private static final class Stop extends Exception {
        private static final long serialVersionUID = 1L;

        Stop(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Evaluates {@code expr}.
     *
     * @param expr        the expression bytes
     * @param frameBase   the function's frame base ({@code DW_AT_frame_base} evaluated), for {@code DW_OP_fbreg}
     * @param addressSize 8 on 64-bit targets
     */
    public static Location evaluate(byte[] expr, Location frameBase, int addressSize) {
        try {
            return run(expr, frameBase, addressSize);
        } catch (Stop e) {
            return new Location.Problem(e.getMessage());
        } catch (IndexOutOfBoundsException e) {
            return new Location.Problem("expression truncated");
        }
    }

    private static Location run(byte[] expr, Location frameBase, int addressSize) throws Stop {
        List<Sym> stack = new ArrayList<>();
        List<Location.Piece> pieces = new ArrayList<>();
        Location current = null;
        int[] pc = {0};
        for (int steps = 0; pc[0] < expr.length; steps++) {
            if (steps >= STEP_BUDGET) {
                throw new Stop("expression did not finish within " + STEP_BUDGET + " steps");
            }
            if (stack.size() > STACK_LIMIT) {
                throw new Stop("expression stack deeper than " + STACK_LIMIT);
            }
            int at = pc[0];
            int op = expr[pc[0]++] & 0xff;
            if (op >= 0x30 && op <= 0x4f) {
                stack.add(Sym.constant(op - 0x30));
            } else if (op >= 0x50 && op <= 0x6f) {
                current = new Location.Register(op - 0x50);
            } else if (op >= 0x70 && op <= 0x8f) {
                stack.add(new Sym(Sym.Kind.REG, op - 0x70, sleb(expr, pc)));
            } else {
                switch (op) {
                    case 0x03 -> stack.add(Sym.constant(fixed(expr, pc, addressSize, false))); // DW_OP_addr
                    case 0x08 -> stack.add(Sym.constant(fixed(expr, pc, 1, false)));
                    case 0x09 -> stack.add(Sym.constant(fixed(expr, pc, 1, true)));
                    case 0x0a -> stack.add(Sym.constant(fixed(expr, pc, 2, false)));
                    case 0x0b -> stack.add(Sym.constant(fixed(expr, pc, 2, true)));
                    case 0x0c -> stack.add(Sym.constant(fixed(expr, pc, 4, false)));
                    case 0x0d -> stack.add(Sym.constant(fixed(expr, pc, 4, true)));
                    case 0x0e, 0x0f -> stack.add(Sym.constant(fixed(expr, pc, 8, false)));
                    case 0x10 -> stack.add(Sym.constant(uleb(expr, pc))); // DW_OP_constu
                    case 0x11 -> stack.add(Sym.constant(sleb(expr, pc))); // DW_OP_consts
                    case 0x12 -> stack.add(peek(stack, 0)); // dup
                    case 0x13 -> pop(stack); // drop
                    case 0x14 -> stack.add(peek(stack, 1)); // over
                    case 0x15 -> stack.add(peek(stack, fixed(expr, pc, 1, false))); // pick
                    case 0x16 -> { // swap
                        Sym a = pop(stack);
                        Sym b = pop(stack);
                        stack.add(a);
                        stack.add(b);
                    }
                    case 0x17 -> { // rot
                        Sym a = pop(stack);
                        Sym b = pop(stack);
                        Sym c = pop(stack);
                        stack.add(a);
                        stack.add(c);
                        stack.add(b);
                    }
                    case 0x06 -> stack.add(pop(stack).deref()); // deref
                    case 0x94 -> { // deref_size: only a full word is an address we can follow
                        long size = fixed(expr, pc, 1, false);
                        if (size != addressSize) {
                            throw new Stop("DW_OP_deref_size " + size + " needs target memory");
                        }
                        stack.add(pop(stack).deref());
                    }
                    case 0x19 -> stack.add(Sym.constant(Math.abs(constant(pop(stack), op))));
                    case 0x1f -> stack.add(Sym.constant(-constant(pop(stack), op)));
                    case 0x20 -> stack.add(Sym.constant(~constant(pop(stack), op)));
                    case 0x22 -> { // plus: one operand may be symbolic
                        Sym b = pop(stack);
                        Sym a = pop(stack);
                        if (a.kind() != Sym.Kind.CONST && b.kind() != Sym.Kind.CONST) {
                            throw new Stop("DW_OP_plus of two non-constant values");
                        }
                        stack.add(a.kind() == Sym.Kind.CONST ? b.plus(a.value()) : a.plus(b.value()));
                    }
                    case 0x23 -> stack.add(pop(stack).plus(uleb(expr, pc))); // plus_uconst
                    case 0x1c -> { // minus
                        long b = constant(pop(stack), op);
                        stack.add(pop(stack).plus(-b));
                    }
                    case 0x1a, 0x1b, 0x1d, 0x1e, 0x21, 0x24, 0x25, 0x26, 0x27, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e -> {
                        long b = constant(pop(stack), op);
                        long a = constant(pop(stack), op);
                        stack.add(Sym.constant(binary(op, a, b)));
                    }
                    case 0x28 -> { // bra
                        int offset = (int) fixed(expr, pc, 2, true);
                        if (constant(pop(stack), op) != 0) {
                            jump(expr, pc, offset);
                        }
                    }
                    case 0x2f -> jump(expr, pc, (int) fixed(expr, pc, 2, true)); // skip
                    case 0x90 -> current = new Location.Register((int) uleb(expr, pc)); // regx
                    case 0x91 -> { // fbreg
                        long offset = sleb(expr, pc);
                        stack.add(switch (frameBase) {
                            case Location.CfaOffset c -> new Sym(Sym.Kind.CFA, -1, c.offset() + offset);
                            case Location.RegisterOffset r -> new Sym(Sym.Kind.REG, r.dwarfRegister(), r.offset() + offset);
                            case Location.Register r -> new Sym(Sym.Kind.REG, r.dwarfRegister(), offset);
                            case null, default -> throw new Stop("DW_OP_fbreg with an unusable frame base " + frameBase);
                        });
                    }
                    case 0x92 -> { // bregx
                        int reg = (int) uleb(expr, pc);
                        stack.add(new Sym(Sym.Kind.REG, reg, sleb(expr, pc)));
                    }
                    case 0x93, 0x9d -> { // piece, bit_piece
                        long size = uleb(expr, pc);
                        if (op == 0x9d) {
                            long bitOffset = uleb(expr, pc);
                            if (size % 8 != 0 || bitOffset != 0) {
                                throw new Stop("DW_OP_bit_piece of " + size + " bits at bit " + bitOffset);
                            }
                            size /= 8;
                        }
                        Location piece = current != null ? current
                                : stack.isEmpty() ? new Location.Unavailable("optimized out") : pop(stack).asMemory();
                        pieces.add(new Location.Piece(size, piece));
                        current = null;
                        stack.clear();
                    }
                    case 0x96 -> { } // nop
                    case 0x9c -> stack.add(new Sym(Sym.Kind.CFA, -1, 0)); // call_frame_cfa
                    case 0x9e -> { // implicit_value
                        long len = uleb(expr, pc);
                        if (len > 8) {
                            throw new Stop("DW_OP_implicit_value of " + len + " bytes");
                        }
                        current = new Location.Value(fixed(expr, pc, (int) len, false));
                    }
                    case 0x9f -> current = new Location.Value(constant(pop(stack), op)); // stack_value
                    default -> throw new Stop("unsupported op " + opName(op) + " at byte " + at);
                }
            }
        }
        if (!pieces.isEmpty()) {
            if (current != null || !stack.isEmpty()) {
                throw new Stop("expression continues after its last DW_OP_piece");
            }
            return new Location.Pieces(pieces);
        }
        if (current != null) {
            return current;
        }
        return stack.isEmpty() ? new Location.Unavailable("empty location expression") : stack.getLast().asMemory();
    }

    private static long binary(int op, long a, long b) throws Stop {
        return switch (op) {
            case 0x1a -> a & b;
            case 0x1b -> {
                if (b == 0) {
                    throw new Stop("DW_OP_div by zero");
                }
                yield a / b;
            }
            case 0x1d -> {
                if (b == 0) {
                    throw new Stop("DW_OP_mod by zero");
                }
                yield Long.remainderUnsigned(a, b);
            }
            case 0x1e -> a * b;
            case 0x21 -> a | b;
            case 0x24 -> b >= 64 ? 0 : a << b;
            case 0x25 -> b >= 64 ? 0 : a >>> b;
            case 0x26 -> a >> Math.min(b, 63);
            case 0x27 -> a ^ b;
            case 0x29 -> a == b ? 1 : 0;
            case 0x2a -> a >= b ? 1 : 0;
            case 0x2b -> a > b ? 1 : 0;
            case 0x2c -> a <= b ? 1 : 0;
            case 0x2d -> a < b ? 1 : 0;
            default -> a != b ? 1 : 0;
        };
    }

    private static void jump(byte[] expr, int[] pc, int offset) throws Stop {
        long target = (long) pc[0] + offset;
        if (target < 0 || target > expr.length) {
            throw new Stop("branch to byte " + target + " outside the expression");
        }
        pc[0] = (int) target;
    }

    private static long constant(Sym s, int op) throws Stop {
        if (s.kind() != Sym.Kind.CONST) {
            throw new Stop(opName(op) + " on a value only known at run time");
        }
        return s.value();
    }

    private static Sym pop(List<Sym> stack) throws Stop {
        if (stack.isEmpty()) {
            throw new Stop("expression stack underflow");
        }
        return stack.removeLast();
    }

    private static Sym peek(List<Sym> stack, long depth) throws Stop {
        if (depth < 0 || depth >= stack.size()) {
            throw new Stop("expression stack underflow");
        }
        return stack.get(stack.size() - 1 - (int) depth);
    }

    private static long fixed(byte[] expr, int[] pc, int size, boolean signed) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (long) (expr[pc[0] + i] & 0xff) << (8 * i);
        }
        pc[0] += size;
        if (signed && size < 8) {
            int shift = 64 - 8 * size;
            v = v << shift >> shift;
        }
        return v;
    }

    private static long uleb(byte[] expr, int[] pc) throws Stop {
        long[] pos = {pc[0]};
        try {
            long v = Leb128.unsigned(i -> expr[Math.toIntExact(i)] & 0xff, pos);
            pc[0] = (int) pos[0];
            return v;
        } catch (Leb128.TooLongException e) {
            throw new Stop("LEB128 operand longer than 10 bytes");
        }
    }

    private static long sleb(byte[] expr, int[] pc) throws Stop {
        long[] pos = {pc[0]};
        try {
            long v = Leb128.signed(i -> expr[Math.toIntExact(i)] & 0xff, pos);
            pc[0] = (int) pos[0];
            return v;
        } catch (Leb128.TooLongException e) {
            throw new Stop("LEB128 operand longer than 10 bytes");
        }
    }

    /** The op's spec name where this module knows it, else its code. */
    static String opName(int op) {
        return switch (op) {
            case 0x06 -> "DW_OP_deref";
            case 0x94 -> "DW_OP_deref_size";
            case 0x19 -> "DW_OP_abs";
            case 0x1f -> "DW_OP_neg";
            case 0x20 -> "DW_OP_not";
            case 0x28 -> "DW_OP_bra";
            case 0x9f -> "DW_OP_stack_value";
            case 0xa3 -> "DW_OP_entry_value";
            case 0x95 -> "DW_OP_xderef_size";
            case 0x18 -> "DW_OP_xderef";
            case 0x97 -> "DW_OP_push_object_address";
            case 0x98 -> "DW_OP_call2";
            case 0x99 -> "DW_OP_call4";
            case 0x9a -> "DW_OP_call_ref";
            case 0x9b -> "DW_OP_form_tls_address";
            case 0xe0 -> "DW_OP_GNU_push_tls_address";
            case 0xf3 -> "DW_OP_GNU_entry_value";
            default -> "0x" + Integer.toHexString(op);
        };
    }
}
