package dev.loupe.dwarf.pclntab;

/**
 * One logical frame at a pc: a real function, or a call the compiler inlined into it.
 *
 * @param function  the linker's function name (see {@link #printName()} for the printed form)
 * @param file      the source file, "?" when unknown
 * @param line      the source line, 0 when unknown
 * @param pc        the pc this frame's position was read at: the looked-up pc for the innermost
 *                  frame, the inline tree's parent pc ({@code entry + parentPc}) for callers
 * @param inlined   true for frames the compiler inlined (the runtime prints "(...)" for them)
 * @param funcId    {@code abi.FuncID} of the function
 * @param startLine the line of its {@code func} keyword (Go 1.20+), 0 when not recorded
 */
public record Frame(String function, String file, int line, long pc, boolean inlined, int funcId, int startLine) {

    /** The name as {@code runtime.Stack} and {@code runtime.CallersFrames} print it. */
    public String printName() {
        return nameForPrint(function);
    }

    /**
     * {@code runtime.funcNameForPrint}: the type arguments of a generic function's shape
     * instantiation (from the first '[' to the last ']') are printed as "[...]".
     */
    public static String nameForPrint(String name) {
        int i = name.indexOf('[');
        int j = name.lastIndexOf(']');
        if (i < 0 || j <= i) {
            return name;
        }
        return name.substring(0, i) + "[...]" + name.substring(j + 1);
    }
}
