package dev.loupe.dwarf.fuzz;

import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.elf.ElfFile;
import dev.loupe.dwarf.elf.Section;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A real Go binary that a fuzz input patches: a copy written once to a private file, into which
 * each execution writes the input's patches, opens the result, runs the readers on it and puts
 * the original bytes back. Only the patched bytes are written, so an execution costs what the
 * readers cost, not a copy of the whole binary.
 *
 * <p>The input is a list of patches (at most {@value #MAX_PATCHES}), each:
 * <pre>
 *   u8  region     which region (mod the number of regions), e.g. the bytes of .gopclntab
 *   u32 offset     where in it (little-endian, mod the region's size)
 *   u8  op         low 6 bits n, high 2 bits the kind:
 *                    0: the next n bytes of the input are written
 *                    1: n+1 copies of the next byte
 *                    2: the next n+1 bytes are added to the region's bytes (a small change to a length)
 *                    3: a little-endian u32 of 0x7fffffff, 0xffffffff, 0x80000000 or 0 (n mod 4): a huge or null value
 * </pre>
 * An empty input leaves the binary as it is. A committed input thus depends on the base binary:
 * the {@code inlining} test program, built reproducibly by the project's Go toolchain.
 */
final class PatchedBinary {
    static final int MAX_PATCHES = 16;
    /**
     * With {@code -Dloupe.fuzz.strict=true}, a {@link BinaryFormatException} that only wraps
     * another exception (a reader's catch-all: "malformed data (java.lang...)") is a finding
     * too: the reader missed a check and the message names no offset.
     */
    private static final boolean STRICT = Boolean.getBoolean("loupe.fuzz.strict");

    /** A byte range of the file that patches may change: a section, or a header table. */
    record Region(String name, long offset, long size) {}

    /** One patch: bytes to write at a file offset. */
    record Patch(long at, byte[] bytes) {}

    private final Path file;
    private final byte[] original;
    private final List<Region> regions;

    private PatchedBinary(Path file, byte[] original, List<Region> regions) {
        this.file = file;
        this.original = original;
        this.regions = regions;
    }

    /**
     * Copies {@code base} to a private temporary file and finds the regions: the given sections
     * (those the binary has), and "elf-header", "program-headers", "section-headers" when named.
     */
    static PatchedBinary of(Path base, List<String> regionNames) {
        try {
            byte[] bytes = Files.readAllBytes(base);
            Path dir = Files.createTempDirectory("loupe-fuzz");
            Path file = dir.resolve(base.getFileName().toString());
            Files.write(file, bytes);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            Map<String, Region> found = new LinkedHashMap<>();
            try (ElfFile elf = ElfFile.open(file)) {
                long phoff = elf.header().phoff();
                long shoff = elf.header().shoff();
                found.put("elf-header", new Region("elf-header", 0, 64));
                found.put("program-headers", new Region("program-headers", phoff, 56L * elf.programHeaders().size()));
                found.put("section-headers", new Region("section-headers", shoff, 64L * elf.sections().size()));
                for (Section s : elf.sections()) {
                    if (s.type() != Section.SHT_NOBITS && s.size() > 0) {
                        found.putIfAbsent(s.name(), new Region(s.name(), s.offset(), s.size()));
                    }
                }
            }
            List<Region> regions = new ArrayList<>();
            for (String name : regionNames) {
                if (found.containsKey(name)) {
                    regions.add(found.get(name));
                }
            }
            if (regions.isEmpty()) {
                throw new IllegalStateException(base + " has none of " + regionNames);
            }
            return new PatchedBinary(file, bytes, List.copyOf(regions));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path file() {
        return file;
    }

    List<Region> regions() {
        return regions;
    }

    /** The patches {@code input} describes, clipped to their regions. */
    List<Patch> decode(byte[] input) {
        ByteBuffer in = ByteBuffer.wrap(input);
        List<Patch> out = new ArrayList<>();
        while (out.size() < MAX_PATCHES && in.remaining() >= 6) {
            Region r = regions.get(Byte.toUnsignedInt(in.get()) % regions.size());
            long offset = Integer.toUnsignedLong(Integer.reverseBytes(in.getInt())) % r.size();
            int op = Byte.toUnsignedInt(in.get());
            int n = op & 0x3f;
            byte[] bytes;
            switch (op >>> 6) {
                case 0 -> {
                    bytes = new byte[Math.min(n, in.remaining())];
                    in.get(bytes);
                }
                case 1 -> {
                    bytes = new byte[n + 1];
                    Arrays.fill(bytes, in.hasRemaining() ? in.get() : 0);
                }
                case 2 -> {
                    bytes = new byte[Math.min(n + 1, in.remaining())];
                    in.get(bytes);
                    for (int i = 0; i < bytes.length && offset + i < r.size(); i++) {
                        bytes[i] += original[(int) (r.offset() + offset + i)];
                    }
                }
                default -> {
                    int v = switch (n % 4) {
                        case 0 -> 0x7fffffff;
                        case 1 -> 0xffffffff;
                        case 2 -> 0x80000000;
                        default -> 0;
                    };
                    bytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
                }
            }
            int len = (int) Math.min(bytes.length, r.size() - offset);
            if (len > 0) {
                out.add(new Patch(r.offset() + offset, Arrays.copyOf(bytes, len)));
            }
        }
        return out;
    }

    /**
     * Applies {@code input}'s patches, opens the binary and runs {@code exercise} on it, then
     * restores the file. A {@link BinaryFormatException} (from opening or from {@code exercise})
     * must name the file; any other exception or error propagates: a finding.
     */
    void run(byte[] input, Consumer<GoBinary> exercise) {
        List<Patch> patches = decode(input);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (Patch p : patches) {
                ch.write(ByteBuffer.wrap(p.bytes()), p.at());
            }
            try {
                GoBinary b;
                try {
                    b = GoBinary.open(file);
                } catch (BinaryFormatException e) {
                    checkMessage(e);
                    return;
                }
                try (b) {
                    exercise.accept(b);
                } catch (BinaryFormatException e) {
                    checkMessage(e);
                }
            } finally {
                for (Patch p : patches) {
                    ch.write(ByteBuffer.wrap(original, (int) p.at(), p.bytes().length), p.at());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs each of {@code readers} on its own: one failing with our exception does not hide the next. */
    @SafeVarargs
    static void each(GoBinary b, Consumer<GoBinary>... readers) {
        for (Consumer<GoBinary> r : readers) {
            try {
                r.accept(b);
            } catch (BinaryFormatException e) {
                check(e, b.path());
            }
        }
    }

    private void checkMessage(BinaryFormatException e) {
        check(e, file);
    }

    /** Checks that {@code e} names {@code file} (and, when strict, that it is no catch-all). */
    static void check(BinaryFormatException e, Path file) {
        if (!file.equals(e.file()) || !e.getMessage().startsWith(file + ": ")) {
            throw new AssertionError("message does not start with the file: " + e.getMessage(), e);
        }
        if (STRICT) {
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof RuntimeException && !(c instanceof BinaryFormatException)) {
                    throw new AssertionError("a reader's catch-all: " + e.getMessage(), e);
                }
            }
        }
    }
}
