package dev.loupe.agent.internal.sys;

import java.io.Serial;

/** A failed {@code bpf(2)} command; {@link #operation()} is the command's uapi name, e.g. {@code BPF_PROG_LOAD}. */
public class BpfException extends SysException {
    @Serial
    private static final long serialVersionUID = 1L;

    public BpfException(String command, int errno) {
        super(command, errno);
    }

    protected BpfException(String command, int errno, String message) {
        super(command, errno, message);
    }
}
