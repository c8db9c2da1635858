package dev.loupe.agent.internal.sys;

import dev.loupe.bpf.asm.Program;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@code BPF_PROG_LOAD} needs to know about a program. The license is always {@code "GPL"}: the helpers Loupe
 * relies on ({@code bpf_probe_read_user}, {@code bpf_copy_from_user_task}, {@code bpf_seq_write}) are GPL-only.
 *
 * @param type               {@code prog_type}
 * @param name               {@code prog_name}: up to 15 of {@code [A-Za-z0-9_.]}, shown by {@code bpftool prog}
 * @param instructions       the encoded instructions, map references already holding their maps' fds
 * @param expectedAttachType {@code expected_attach_type}
 * @param attachBtfId        {@code attach_btf_id}: the vmlinux BTF id of the attach target, 0 if none
 * @param flags              {@code prog_flags}, e.g. {@link Bpf#F_SLEEPABLE}
 */
public record ProgramSpec(Bpf.ProgType type, String name, byte[] instructions,
                          Bpf.AttachType expectedAttachType, int attachBtfId, int flags) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]{0,15}");

    public ProgramSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(instructions, "instructions");
        Objects.requireNonNull(expectedAttachType, "expectedAttachType");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("BPF object names are up to 15 of [A-Za-z0-9_.], not '" + name + "'");
        }
        if (instructions.length == 0 || instructions.length % 8 != 0) {
            throw new IllegalArgumentException("BPF instructions are 8-byte slots, not " + instructions.length + " bytes");
        }
        instructions = instructions.clone();
    }

    /** A program of this type with no maps, attach target or flags. */
    public static ProgramSpec of(Bpf.ProgType type, String name, Program program) {
        return of(type, name, program, Map.of());
    }

    /** A program whose map references are resolved to these fds, by map name. */
    public static ProgramSpec of(Bpf.ProgType type, String name, Program program, Map<String, Integer> mapFds) {
        return new ProgramSpec(type, name, program.encode(mapFds), Bpf.AttachType.UNSPEC, 0, 0);
    }

    /** This spec attaching to a BTF-described kernel target, e.g. {@code TRACE_ITER} to FUNC {@code bpf_iter_task}. */
    public ProgramSpec attachTo(Bpf.AttachType attachType, int btfId) {
        return new ProgramSpec(type, name, instructions, attachType, btfId, flags);
    }

    /** This spec with {@code prog_flags} set. */
    public ProgramSpec withFlags(int programFlags) {
        return new ProgramSpec(type, name, instructions, expectedAttachType, attachBtfId, programFlags);
    }
}
