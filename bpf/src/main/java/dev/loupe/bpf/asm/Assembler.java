package dev.loupe.bpf.asm;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Program} instruction by instruction, with labels:
 * <pre>{@code
 * Program p = new Assembler()
 *         .emit(JumpOp.JEQ.imm(R1, 0, "exit"))
 *         .emit(Insn.mov64Imm(R0, 1))
 *         .label("exit")
 *         .emit(Insn.exit())
 *         .build();
 * }</pre>
 * Labels stay names until {@link Program#encode} resolves them; duplicate and missing labels are reported there.
 */
public final class Assembler {
    private final List<Insn> insns = new ArrayList<>();
    private int slot;
    private String pendingLabel;

    /** Appends instructions; a pending {@link #label} is defined at the first one. */
    public Assembler emit(Insn... more) {
        for (Insn insn : more) {
            if (pendingLabel != null) {
                if (insn.symbol() != null) {
                    throw new AsmException(slot, "labels '" + pendingLabel + "' and '" + insn.symbol()
                            + "' on the same instruction");
                }
                insn = insn.withSymbol(pendingLabel);
                pendingLabel = null;
            }
            insns.add(insn);
            slot += insn.slots();
        }
        return this;
    }

    /** Defines {@code name} at the next emitted instruction. */
    public Assembler label(String name) {
        if (pendingLabel != null) {
            throw new AsmException(slot, "labels '" + pendingLabel + "' and '" + name + "' on the same instruction");
        }
        pendingLabel = name;
        return this;
    }

    /** The program so far. */
    public Program build() {
        if (pendingLabel != null) {
            throw new AsmException(slot, "label '" + pendingLabel + "' at the end of the program has no instruction");
        }
        return new Program(insns);
    }
}
