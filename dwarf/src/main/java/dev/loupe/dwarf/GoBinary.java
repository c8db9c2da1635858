package dev.loupe.dwarf;

import dev.loupe.dwarf.buildinfo.BuildInfo;
import dev.loupe.dwarf.buildinfo.BuildInfoReader;
import dev.loupe.dwarf.elf.ElfFile;
import dev.loupe.dwarf.elf.ElfSymbol;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.pclntab.Pclntab;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.dwarf.runtime.RuntimeLayouts;
import dev.loupe.dwarf.runtime.UnknownGoVersionException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A Go executable opened for reading: the entry point of this module.
 *
 * <pre>{@code
 * try (GoBinary bin = GoBinary.open(Path.of("/usr/bin/etcd"))) {
 *     bin.buildInfo().ifPresent(bi -> System.out.println(bi.goVersion()));
 *     for (Frame f : bin.pclntab().frames(pc)) {
 *         System.out.println(f.printName() + " " + f.file() + ":" + f.line());
 *     }
 * }
 * }</pre>
 *
 * Opening maps the file and parses the ELF headers only; the build info, the pclntab, the
 * DWARF index ({@link #dwarf()}) and the runtime layout are read on first use and kept. Every
 * method throws {@link BinaryFormatException} for bad input and nothing else (but
 * {@link #runtimeLayout()} of a stripped binary from an unknown Go version). Instances are safe
 * to share between threads until closed.
 */
public final class GoBinary implements AutoCloseable {
    private final ElfFile elf;
    private final Lazy<Optional<BuildInfo>> buildInfo;
    private final Lazy<Pclntab> pclntab;
    private final Lazy<GoDwarf> dwarf;
    private final Lazy<RuntimeLayout> runtimeLayout;
    private final Lazy<List<String>> waitReasons;

    private GoBinary(ElfFile elf) {
        this.elf = elf;
        this.buildInfo = new Lazy<>(() -> guard(".go.buildinfo", () -> BuildInfoReader.read(elf)));
        this.pclntab = new Lazy<>(() -> guard(".gopclntab", () -> Pclntab.read(elf)));
        this.dwarf = new Lazy<>(() -> guard(".debug_info", () -> GoDwarf.read(elf)));
        this.runtimeLayout = new Lazy<>(this::readRuntimeLayout);
        this.waitReasons = new Lazy<>(() -> guard(".symtab", this::readWaitReasons));
    }

    /**
     * Opens {@code path}: maps it and parses the ELF header, program and section headers.
     *
     * @throws BinaryFormatException if it is not a readable 64-bit little-endian ELF file
     */
    public static GoBinary open(Path path) {
        return new GoBinary(ElfFile.open(path));
    }

    public Path path() {
        return elf.path();
    }

    /** The ELF file, for sections, segments, symbols and relocations. */
    public ElfFile elf() {
        return elf;
    }

    /** The Go architecture name, e.g. "amd64". */
    public String goArch() {
        return elf.header().goArch();
    }

    /** True when the binary has no symbol table (linked with {@code -s}). */
    public boolean isStripped() {
        return guard(".symtab", () -> elf.symbols().isEmpty());
    }

    /** True when the binary carries DWARF (not linked with {@code -w}). */
    public boolean hasDwarf() {
        return elf.hasDwarf();
    }

    /** The Go build id, as {@code go tool buildid} prints it. */
    public Optional<String> goBuildId() {
        return guard(".note.go.buildid", elf::goBuildId);
    }

    /** The GNU build id in hex, as {@code readelf -n} prints it. */
    public Optional<String> gnuBuildId() {
        return guard(".note.gnu.build-id", elf::gnuBuildId);
    }

    /** The Go build information, or empty for a binary that has none (not built by Go). */
    public Optional<BuildInfo> buildInfo() {
        return buildInfo.get();
    }

    /**
     * The function table, indexed on first use.
     *
     * @throws BinaryFormatException if the binary has no (readable) pclntab
     */
    public Pclntab pclntab() {
        return pclntab.get();
    }

    /**
     * The DWARF: functions, variables, types and locations, indexed on first use (unit headers
     * and a name index; DIEs are read when asked for).
     *
     * @throws BinaryFormatException if the binary has no DWARF ({@link #hasDwarf()}) or it is malformed
     */
    public GoDwarf dwarf() {
        return dwarf.get();
    }

    /**
     * The Go runtime's layout: from the DWARF when there is some, else from Loupe's table for the
     * build info's Go version.
     *
     * @throws BinaryFormatException     if the DWARF is malformed, or there is neither DWARF nor build info
     * @throws UnknownGoVersionException if a binary without DWARF was built by a Go version Loupe has no table for
     */
    public RuntimeLayout runtimeLayout() {
        return runtimeLayout.get();
    }

    private RuntimeLayout readRuntimeLayout() {
        String version = buildInfo().map(BuildInfo::goVersion).orElse("");
        if (hasDwarf()) {
            return guard(".debug_info", () -> RuntimeLayouts.fromDwarf(dwarf(), version));
        }
        if (version.isEmpty()) {
            throw new BinaryFormatException(elf.path(), ".go.buildinfo", -1, "no DWARF and no Go version: cannot tell the runtime's layout");
        }
        return RuntimeLayouts.withoutDwarf(elf, pclntab(), version);
    }

    /**
     * The runtime's wait reasons as {@code runtime.Stack} prints them, indexed by {@code g.waitreason}: the binary's
     * own {@code runtime.waitReasonStrings} (a {@code [N]string} whose headers point into rodata), or, for a binary
     * without symbols, the table of its Go version; empty when neither is there.
     */
    public List<String> waitReasons() {
        return waitReasons.get();
    }

    private List<String> readWaitReasons() {
        Optional<ElfSymbol> sym = elf.symbol("runtime.waitReasonStrings");
        if (sym.isEmpty()) {
            return buildInfo().map(b -> RuntimeLayouts.waitReasonsFromTable(b.goVersion())).orElse(List.of());
        }
        List<String> out = new ArrayList<>();
        for (long i = 0; i < sym.get().size() / 16; i++) {
            out.add(elf.goString(sym.get().value() + i * 16));
        }
        return List.copyOf(out);
    }

    /**
     * Unmaps the file. Records read before (build info, functions, frames) stay valid; the
     * ELF file, its byte views and the pclntab can no longer be read.
     */
    @Override
    public void close() {
        elf.close();
    }

    @Override
    public String toString() {
        return "GoBinary[" + elf.path() + "]";
    }

    /** Runs a reader, turning any exception but ours into one that names the file and section. */
    private <T> T guard(String section, Supplier<T> reader) {
        try {
            return reader.get();
        } catch (BinaryFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BinaryFormatException(elf.path(), section, -1, "malformed data (" + e + ")", e);
        }
    }

    /** A value computed once, on first use; a failure is rethrown on every use. */
    private static final class Lazy<T> {
        private final Supplier<T> compute;
        private T value;
        private RuntimeException failure;

        Lazy(Supplier<T> compute) {
            this.compute = compute;
        }

        synchronized T get() {
            if (value == null && failure == null) {
                try {
                    value = compute.get();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
            return value;
        }
    }
}
