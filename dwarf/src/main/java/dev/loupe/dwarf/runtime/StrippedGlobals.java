package dev.loupe.dwarf.runtime;

import dev.loupe.dwarf.elf.ElfFile;
import dev.loupe.dwarf.elf.ProgramHeader;
import dev.loupe.dwarf.internal.ByteView;
import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * The addresses of the runtime globals a snapshot reads, in a binary without symbols or DWARF, found in the machine
 * code of the runtime functions that use them: the pclntab still names every function. {@code runtime.allgs} is a
 * {@code []*g} in zero-filled memory whose three words ({@code array}, {@code len}, {@code cap}) are all addressed by
 * {@code runtime.allgadd} ({@code allgs = append(allgs, gp)}, in every Go version since 1.16); {@code runtime.forEachG}
 * reads its first two, which settles a tie.
 *
 * <p>x86-64 only: the code is searched for RIP-relative memory operands ({@code ModRM} with mod 00 and r/m 101, a
 * 32-bit displacement from the next instruction) of the instructions Go emits for loads, stores, compares, address
 * computations and exchanges of a global. The search does not decode instructions in sequence; a byte pattern that is
 * not really an instruction yields a stray address, which the three-word condition then rejects.
 */
final class StrippedGlobals {
    /** {@code MOV r,m}, {@code MOV m,r}, {@code LEA}, {@code CMP r,m}, {@code CMP m,r}, {@code XCHG}, {@code TEST}. */
    private static final Set<Integer> NO_IMMEDIATE = Set.of(0x8B, 0x89, 0x8D, 0x3B, 0x39, 0x87, 0x85);

    private StrippedGlobals() {}

    /** The globals found, or empty ones when this binary's code does not show them. */
    static RuntimeLayout.Globals find(ElfFile elf, Pclntab pclntab, String goArch) {
        if (!"amd64".equals(goArch)) {
            return new RuntimeLayout.Globals(OptionalLong.empty(), OptionalLong.empty());
        }
        Set<Long> inAllgadd = zeroFilledReferences(elf, pclntab, "runtime.allgadd");
        Set<Long> inForEachG = zeroFilledReferences(elf, pclntab, "runtime.forEachG");
        TreeSet<Long> candidates = new TreeSet<>();
        for (long a : inAllgadd) {
            if (inAllgadd.contains(a + 8) && inAllgadd.contains(a + 16)) {
                candidates.add(a);
            }
        }
        if (candidates.size() > 1) {
            candidates.removeIf(a -> !(inForEachG.contains(a) && inForEachG.contains(a + 8)));
        }
        OptionalLong allgs = candidates.size() == 1 ? OptionalLong.of(candidates.first()) : OptionalLong.empty();
        return new RuntimeLayout.Globals(allgs, OptionalLong.empty());
    }

    /** Addresses in zero-filled writable memory (.bss, .noptrbss) that {@code function}'s code refers to. */
    private static Set<Long> zeroFilledReferences(ElfFile elf, Pclntab pclntab, String function) {
        Optional<Func> f = pclntab.functions().stream().filter(fn -> fn.name().equals(function)).findFirst();
        Set<Long> out = new HashSet<>();
        if (f.isEmpty() || f.get().end() <= f.get().entry()) {
            return out;
        }
        long entry = f.get().entry();
        ByteView code = elf.memory(entry);
        long len = Math.min(f.get().end() - entry, code.size());
        List<ProgramHeader> bss = elf.programHeaders().stream()
                .filter(p -> p.isLoad() && (p.flags() & ProgramHeader.PF_W) != 0 && p.memsz() > p.filesz()).toList();
        for (long i = 0; i + 6 <= len; i++) {
            int opcode = code.u8(i);
            int modrm = code.u8(i + 1);
            if ((modrm & 0xC7) != 0x05) {
                continue;
            }
            int immediate;
            if (NO_IMMEDIATE.contains(opcode)) {
                immediate = 0;
            } else if (opcode == 0x83 || opcode == 0x80 || opcode == 0xC6) {
                immediate = 1;
            } else if (opcode == 0x81 || opcode == 0xC7) {
                immediate = 4;
            } else {
                continue;
            }
            long next = entry + i + 6 + immediate;
            long target = next + code.i32(i + 2);
            for (ProgramHeader p : bss) {
                if (target >= p.vaddr() + p.filesz() && target < p.vaddr() + p.memsz()) {
                    out.add(target);
                }
            }
        }
        return out;
    }
}
