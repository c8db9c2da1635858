package dev.loupe.app.export;

import dev.loupe.app.store.SnapshotFile;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A snapshot's stacks written for other tools; a file is either whole at its path or not there. */
public final class Export {
    /** pprof: a goroutine profile for {@code go tool pprof}; folded: one {@code process;outer;...;inner count} line per stack. */
    public enum Format { pprof, folded }

    private Export() {}

    /** Writes {@code snapshot}'s stacks to {@code output} in {@code format}; returns how many stacks. */
    public static int write(SnapshotFile snapshot, Format format, Path output) throws IOException {
        var groups = snapshot.stackGroups();
        Path tmp = output.toAbsolutePath().resolveSibling(output.getFileName() + ".partial");
        try {
            switch (format) {
                case pprof -> {
                    try (OutputStream out = Files.newOutputStream(tmp)) {
                        GoroutineProfile.writePprof(groups, snapshot.createdAtNs(), out);
                    }
                }
                case folded -> {
                    try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                        GoroutineProfile.writeFolded(groups, out);
                    }
                }
            }
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return groups.size();
    }
}
