package dev.loupe.dwarf.pclntab;

/**
 * The pclntab layouts this reader knows, by header magic ({@code abi.PCLnTabMagic}).
 * Go 1.20 added {@code _func.startLine} and {@code inlinedCall.startLine}, and slimmed
 * {@code inlinedCall} from 20 to 16 bytes.
 */
public enum PclntabFormat {
    /** Go 1.18 and 1.19: magic {@code 0xfffffff0}. */
    GO_1_18(0xfffffff0, 36, 20),
    /** Go 1.20 and later: magic {@code 0xfffffff1}. */
    GO_1_20(0xfffffff1, 40, 16);

    private final int magic;
    /** Offset of {@code _func.funcID}; {@code flag} and {@code nfuncdata} follow at +1 and +3. */
    final int funcIdOffset;
    /** Size of one {@code inlinedCall}. */
    final int inlinedCallSize;

    PclntabFormat(int magic, int funcIdOffset, int inlinedCallSize) {
        this.magic = magic;
        this.funcIdOffset = funcIdOffset;
        this.inlinedCallSize = inlinedCallSize;
    }

    /** The header magic, as an unsigned 32-bit value in an int. */
    public int magic() {
        return magic;
    }

    /** The format with header magic {@code magic}, or null. */
    static PclntabFormat ofMagic(long magic) {
        for (PclntabFormat f : values()) {
            if (Integer.toUnsignedLong(f.magic) == magic) {
                return f;
            }
        }
        return null;
    }
}
