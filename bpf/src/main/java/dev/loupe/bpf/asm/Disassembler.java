package dev.loupe.bpf.asm;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints programs the way the kernel's verifier log and {@code bpftool prog dump xlated} do, so that a listing
 * can be read next to a verifier error:
 * <pre>
 *    0: r1 = map[events]
 *    2: r2 = r10
 *    3: r2 += -8
 *    4: r3 = 8
 *    5: r4 = 0
 *    6: call bpf_ringbuf_output#130
 *    7: if r0 s&lt; 0x0 goto +1 &lt;exit&gt;
 *    8: r0 = 1
 * exit:
 *    9: exit
 * </pre>
 * The number is the slot index (an {@code ld_imm64} takes two). Jumps show the slot distance the kernel sees and
 * the label of the target.
 */
public final class Disassembler {
    private Disassembler() {}

    /** The labels of a program, by name and by slot, for showing jump targets. */
    record Targets(Map<String, Integer> slotByLabel, Map<Integer, String> labelBySlot) {
        static final Targets NONE = new Targets(Map.of(), Map.of());

        static Targets of(List<Insn> insns) {
            Map<String, Integer> bySymbol = new HashMap<>();
            Map<Integer, String> bySlot = new HashMap<>();
            int slot = 0;
            for (Insn insn : insns) {
                if (insn.symbol() != null) {
                    bySymbol.putIfAbsent(insn.symbol(), slot);
                    bySlot.putIfAbsent(slot, insn.symbol());
                }
                slot += insn.slots();
            }
            return new Targets(bySymbol, bySlot);
        }
    }

    /** The listing of a program: a line per label and a line per instruction, each line ending in a newline. */
    public static String format(Program program) {
        Targets targets = Targets.of(program.insns());
        StringBuilder out = new StringBuilder();
        int slot = 0;
        for (Insn insn : program.insns()) {
            if (insn.symbol() != null) {
                out.append(insn.symbol()).append(":\n");
            }
            out.append(String.format("%4d: %s%n", slot, mnemonic(insn, targets, slot)));
            slot += insn.slots();
        }
        return out.toString();
    }

    /** One instruction in listing syntax; {@code slot} is -1 when the instruction stands alone. */
    static String mnemonic(Insn insn, Targets targets, int slot) {
        int op = insn.opcode();
        return switch (insn.insnClass()) {
            case ALU, ALU64 -> alu(insn);
            case JMP, JMP32 -> jump(insn, targets, slot);
            case LDX -> Mode.of(op).filter(m -> m == Mode.MEM || m == Mode.MEMSX)
                    .map(m -> insn.dst().r() + " = *(" + type(insn, m == Mode.MEMSX) + " *)" + address(insn.src(), insn.offset()))
                    .orElseGet(() -> unknown(insn));
            case ST -> Mode.of(op).filter(m -> m == Mode.MEM)
                    .map(m -> "*(" + type(insn, false) + " *)" + address(insn.dst(), insn.offset()) + " = " + insn.imm())
                    .orElseGet(() -> unknown(insn));
            case STX -> switch (Mode.of(op).orElse(Mode.IMM)) {
                case MEM -> "*(" + type(insn, false) + " *)" + address(insn.dst(), insn.offset()) + " = " + insn.src().r();
                case ATOMIC -> atomic(insn);
                default -> unknown(insn);
            };
            case LD -> load(insn, targets, slot);
        };
    }

    private static String alu(Insn insn) {
        boolean wide = insn.insnClass() == InsnClass.ALU64;
        boolean x = (insn.opcode() & Insn.SOURCE_X) != 0;
        String dst = wide ? insn.dst().r() : insn.dst().w();
        String src = wide ? insn.src().r() : insn.src().w();
        return AluOp.of(insn.opcode()).map(op -> switch (op) {
            case NEG -> dst + " = -" + dst;
            case END -> insn.dst().r() + " = " + (wide ? "bswap" : x ? "be" : "le") + insn.imm() + " " + insn.dst().r();
            case MOV -> dst + " = " + (!x ? Long.toString(insn.imm())
                    : insn.offset() != 0 ? "(s" + insn.offset() + ")" + src : src);
            case DIV, MOD -> dst + " " + (insn.offset() == 1 ? "s" : "") + op.operator() + " "
                    + (x ? src : Long.toString(insn.imm()));
            default -> dst + " " + op.operator() + " " + (x ? src : Long.toString(insn.imm()));
        }).orElseGet(() -> unknown(insn));
    }

    private static String jump(Insn insn, Targets targets, int slot) {
        boolean wide = insn.insnClass() == InsnClass.JMP;
        return JumpOp.of(insn.opcode()).map(op -> switch (op) {
            case JA -> wide ? "goto " + target(insn, insn.offset(), targets, slot)
                    : "gotol " + target(insn, insn.imm(), targets, slot);
            case EXIT -> "exit";
            case CALL -> {
                if (insn.isHelperCall()) {
                    yield Helper.byId(insn.imm()).map(h -> "call " + h.kernelName() + "#" + h.id())
                            .orElse("call unknown#" + insn.imm());
                }
                if (insn.src() == Insn.PSEUDO_CALL) {
                    yield "call " + target(insn, insn.imm(), targets, slot);
                }
                yield insn.src() == Insn.PSEUDO_KFUNC_CALL ? "call kfunc#" + insn.imm() : unknown(insn);
            }
            default -> {
                boolean x = (insn.opcode() & Insn.SOURCE_X) != 0;
                String dst = wide ? insn.dst().r() : insn.dst().w();
                String rhs = x ? (wide ? insn.src().r() : insn.src().w()) : hex(insn.imm());
                yield "if " + dst + " " + op.operator() + " " + rhs + " goto " + target(insn, insn.offset(), targets, slot);
            }
        }).orElseGet(() -> unknown(insn));
    }

    private static String load(Insn insn, Targets targets, int slot) {
        if (insn.isLdImm64()) {
            String dst = insn.dst().r() + " = ";
            int src = insn.src().number();
            long low = insn.imm() & 0xffff_ffffL;
            return switch (src) {
                case 0 -> dst + hex(insn.imm()) + " ll";
                case 1 -> dst + "map[" + (insn.reference() != null ? insn.reference() : "fd:" + low) + "]";
                case 2 -> dst + "map[fd:" + low + "][0]+" + (insn.imm() >>> 32);
                case 3 -> dst + "btf_id:" + low;
                case 4 -> dst + "func " + target(insn, insn.imm(), targets, slot);
                case 5 -> dst + "map[idx:" + low + "]";
                case 6 -> dst + "map[idx:" + low + "][0]+" + (insn.imm() >>> 32);
                default -> unknown(insn);
            };
        }
        return Mode.of(insn.opcode()).map(m -> switch (m) {
            case ABS -> "r0 = *(" + type(insn, false) + " *)skb[" + insn.imm() + "]";
            case IND -> "r0 = *(" + type(insn, false) + " *)skb[" + insn.src().r() + " + " + insn.imm() + "]";
            default -> unknown(insn);
        }).orElseGet(() -> unknown(insn));
    }

    private static String atomic(Insn insn) {
        boolean wide = Size.of(insn.opcode()) == Size.DW;
        String type = wide ? "u64" : "u32";
        String src = wide ? insn.src().r() : insn.src().w();
        String mem = "(" + type + " *)" + address(insn.dst(), insn.offset());
        String fn = wide ? "atomic64_" : "atomic_";
        return AtomicOp.of(insn.imm()).map(op -> switch (op) {
            case ADD, OR, AND, XOR -> "lock *" + mem + " " + op.operator() + " " + src;
            case CMPXCHG -> {
                String r0 = wide ? "r0" : "w0";
                yield r0 + " = " + fn + op.function() + "(" + mem + ", " + r0 + ", " + src + ")";
            }
            default -> src + " = " + fn + op.function() + "(" + mem + ", " + src + ")";
        }).orElseGet(() -> unknown(insn));
    }

    /** A jump or call target: the slot distance and the label, e.g. {@code +3 <exit>}. */
    private static String target(Insn insn, long distance, Targets targets, int slot) {
        if (insn.reference() != null) {
            Integer to = targets.slotByLabel().get(insn.reference());
            if (to == null || slot < 0) {
                return "<" + insn.reference() + ">";
            }
            return signed(to - (slot + 1L)) + " <" + insn.reference() + ">";
        }
        String label = slot < 0 ? null : targets.labelBySlot().get((int) (slot + 1 + distance));
        return signed(distance) + (label != null ? " <" + label + ">" : "");
    }

    private static String type(Insn insn, boolean signed) {
        return (signed ? "s" : "u") + Size.of(insn.opcode()).bytes() * 8;
    }

    private static String address(Register base, short offset) {
        return "(" + base.r() + " " + signed(offset) + ")";
    }

    private static String signed(long v) {
        return v < 0 ? Long.toString(v) : "+" + v;
    }

    private static String hex(long v) {
        return v < 0 ? "-0x" + Long.toHexString(-v) : "0x" + Long.toHexString(v);
    }

    private static String unknown(Insn insn) {
        return String.format("unknown opcode 0x%02x", insn.opcode());
    }
}
