package dev.loupe.agent.pause;

/**
 * The user-space registers of one stopped thread that an unwinder starts from.
 *
 * @param tid the Linux thread id
 * @param pc  the instruction pointer (rip)
 * @param sp  the stack pointer (rsp)
 * @param bp  the frame pointer (rbp)
 */
public record ThreadRegs(int tid, long pc, long sp, long bp) {}
