package dev.loupe.dwarf.pclntab;

/**
 * One function of the pclntab's function table ({@code runtime._func}).
 *
 * @param index     its position in the table (functions are sorted by entry pc)
 * @param name      the linker's name, e.g. "main.(*T).m" or "main.f[go.shape.int]"
 * @param entry     the link-time entry pc
 * @param end       the entry pc of the next function (or the end of text): this one's pcs are [entry, end)
 * @param startLine the line of the {@code func} keyword (Go 1.20+), or 0 when not recorded
 * @param funcId    {@code abi.FuncID}: 0 for ordinary functions; the numbering of special
 *                  runtime functions and wrappers changes between Go versions
 * @param flag      {@code abi.FuncFlag} bits: 1 top frame, 2 SP write, 4 assembly
 */
public record Func(int index, String name, long entry, long end, int startLine, int funcId, int flag) {
    /** The name as the runtime prints it ({@link Frame#nameForPrint}). */
    public String printName() {
        return Frame.nameForPrint(name);
    }
}
