package dev.loupe.dwarf.op;

import java.util.List;

/**
 * Where a variable's value is at one pc: the result of evaluating its location description
 * (DWARF 5 §2.6) without reading target memory.
 */
public sealed interface Location {
    /** The value is in a register (DWARF 5 §2.6.1.1.3, {@code DW_OP_reg*}). */
    record Register(int dwarfRegister) implements Location {
        /** The register's name for the architecture, e.g. "rax". */
        public String name() {
            return Amd64Registers.name(dwarfRegister);
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /**
     * The value is in memory at the canonical frame address plus {@code offset}: Go's
     * {@code DW_OP_call_frame_cfa}, or {@code DW_OP_fbreg} with a frame base that is the CFA.
     */
    record CfaOffset(long offset) implements Location {
        @Override
        public String toString() {
            return "CFA" + (offset < 0 ? "" : "+") + offset;
        }
    }

    /** The value is in memory at a register's contents plus {@code offset} ({@code DW_OP_breg*}). */
    record RegisterOffset(int dwarfRegister, long offset) implements Location {
        @Override
        public String toString() {
            return "[" + Amd64Registers.name(dwarfRegister) + (offset < 0 ? "" : "+") + offset + "]";
        }
    }

    /**
     * The value is in memory at {@code offset} past the address stored at {@code pointer}
     * ({@code DW_OP_deref}): Go describes a variable moved to the heap this way, by the stack
     * slot or register that holds its address.
     */
    record Indirect(Location pointer, long offset) implements Location {
        @Override
        public String toString() {
            return "*(" + pointer + ")" + (offset == 0 ? "" : (offset < 0 ? "" : "+") + offset);
        }
    }

    /** The value is in memory at a fixed address ({@code DW_OP_addr}: a package-level variable). */
    record Address(long address) implements Location {
        @Override
        public String toString() {
            return "0x" + Long.toHexString(address);
        }
    }

    /** The value itself is known ({@code DW_OP_stack_value}, {@code DW_OP_implicit_value}). */
    record Value(long value) implements Location {
        @Override
        public String toString() {
            return "value " + value;
        }
    }

    /** The value is split into pieces ({@code DW_OP_piece}, DWARF 5 §2.6.1.2), lowest bytes first. */
    record Pieces(List<Piece> pieces) implements Location {
        public Pieces {
            pieces = List.copyOf(pieces);
        }

        @Override
        public String toString() {
            return pieces.toString();
        }
    }

    /** The value is not available at this pc (no entry covers it, or an empty piece). */
    record Unavailable(String reason) implements Location {
        @Override
        public String toString() {
            return "unavailable (" + reason + ")";
        }
    }

    /** The expression could not be evaluated here: an unsupported op, bad bytes, a budget hit. */
    record Problem(String message) implements Location {
        @Override
        public String toString() {
            return "problem: " + message;
        }
    }

    /**
     * One piece of a value.
     *
     * @param size     its size in bytes
     * @param location where it is: never {@link Pieces}; {@link Unavailable} for an optimised-out piece
     */
    record Piece(long size, Location location) {
        @Override
        public String toString() {
            return location + ":" + size;
        }
    }
}
