package dev.loupe.benchmarks;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.pclntab.Pclntab;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Heap retained by an open, indexed Go binary (issue: ≤ 2× the file's size). The file itself is memory-mapped
 * and not on the heap; what counts is what the reader keeps. Prints one line per program.
 */
public final class HeapFootprint {
    private HeapFootprint() {}

    public static void main(String[] args) throws java.io.IOException {
        for (String name : args.length == 0 ? new String[] {"go", "etcd"} : args) {
            Path path = Programs.path(name);
            long before = usedAfterGc();
            GoBinary b = GoBinary.open(path);
            b.buildInfo();
            Pclntab t = b.pclntab();
            for (int i = 0; i < t.functionCount(); i += 97) {
                t.frames(t.function(i).entry());
            }
            long afterPclntab = usedAfterGc();
            long size = Files.size(path);
            System.out.printf("%s: file %.1f MB, retained heap %.1f MB (%.2f× the file) with the pclntab indexed, %d functions%n",
                    name, size / 1e6, (afterPclntab - before) / 1e6, (double) (afterPclntab - before) / size, t.functionCount());
            if (b.hasDwarf()) {
                int functions = b.dwarf().functionNames().size();
                b.runtimeLayout();
                long afterDwarf = usedAfterGc();
                System.out.printf("%s: retained heap %.1f MB (%.2f× the file) with DWARF indexed too, %d DWARF functions%n",
                        name, (afterDwarf - before) / 1e6, (double) (afterDwarf - before) / size, functions);
            }
            b.close();
        }
    }

    /** The heap in use once collections have freed what they can. */
    static long usedAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // A few full collections (System.gc() is a synchronous full GC on G1): later ones free what earlier ones left.
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
