package dev.loupe.app.export;

import dev.loupe.decoder.Frame;
import dev.loupe.app.store.SnapshotFile.StackGroup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Exports a snapshot's stacks the way other tools read them: a pprof goroutine
 * profile (gzipped profile.proto, as {@code /debug/pprof/goroutine} serves it; see
 * github.com/google/pprof/blob/main/proto/profile.proto) and folded stacks
 * ({@code root;outer;...;inner count}, the input of flame graph tools).
 */
public final class GoroutineProfile {
    private GoroutineProfile() {}

    /** Writes the groups as a pprof goroutine profile, one sample per group labelled with its process. */
    public static void writePprof(List<StackGroup> groups, long timeNanos, OutputStream out) throws IOException {
        Strings strings = new Strings();
        Map<String, Long> functionIds = new LinkedHashMap<>();
        List<ProtoWriter> functions = new ArrayList<>();
        record LocationKey(long mappingId, List<Frame> frames) {}
        Map<LocationKey, Long> locationIds = new HashMap<>();
        List<ProtoWriter> locations = new ArrayList<>();
        Map<Long, Long> mappingIds = new LinkedHashMap<>();
        List<ProtoWriter> mappings = new ArrayList<>();
        ProtoWriter profile = new ProtoWriter();
        ProtoWriter goroutineCount = new ProtoWriter().varint(1, strings.index("goroutine")).varint(2, strings.index("count"));
        profile.message(1, goroutineCount);
        for (StackGroup g : groups) {
            // One mapping per process, marked as already symbolised so pprof looks for no binary.
            long mappingId = mappingIds.computeIfAbsent(g.processId(), p -> {
                long id = mappingIds.size() + 1L;
                mappings.add(new ProtoWriter().varint(1, id).varint(5, strings.index(g.exePath()))
                        .varint(7, 1).varint(8, 1).varint(9, 1).varint(10, 1));
                return id;
            });
            List<Long> locs = new ArrayList<>();
            for (List<Frame> location : locations(g.frames())) {
                LocationKey key = new LocationKey(mappingId, location);
                Long id = locationIds.get(key);
                if (id == null) {
                    id = (long) locationIds.size() + 1;
                    locationIds.put(key, id);
                    ProtoWriter loc = new ProtoWriter().varint(1, id).varint(2, mappingId).varint(3, location.getFirst().pc());
                    for (Frame f : location) {
                        String functionKey = f.function() + "\0" + f.file();
                        Long fid = functionIds.get(functionKey);
                        if (fid == null) {
                            fid = (long) functionIds.size() + 1;
                            functionIds.put(functionKey, fid);
                            functions.add(new ProtoWriter().varint(1, fid).varint(2, strings.index(f.function()))
                                    .varint(3, strings.index(f.function())).varint(4, strings.index(f.file())));
                        }
                        loc.message(4, new ProtoWriter().varint(1, fid).varint(2, f.line()));
                    }
                    locations.add(loc);
                }
                locs.add(id);
            }
            ProtoWriter sample = new ProtoWriter()
                    .packed(1, locs.stream().mapToLong(Long::longValue).toArray())
                    .packed(2, new long[] {g.count()})
                    .message(3, new ProtoWriter().varint(1, strings.index("process")).varint(2, strings.index(processName(g))));
            profile.message(2, sample);
        }
        mappings.forEach(m -> profile.message(3, m));
        locations.forEach(l -> profile.message(4, l));
        functions.forEach(f -> profile.message(5, f));
        profile.varint(9, timeNanos);
        profile.message(11, goroutineCount);
        profile.varint(12, 1);
        for (String s : strings.all) {
            profile.stringAlways(6, s);
        }
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(profile.toByteArray());
        }
    }

    /** Writes one line per group: {@code process;outermost;...;innermost count}. */
    public static void writeFolded(List<StackGroup> groups, Writer out) throws IOException {
        for (StackGroup g : groups) {
            StringBuilder line = new StringBuilder(processName(g).replace(';', ':'));
            for (int i = g.frames().size() - 1; i >= 0; i--) {
                line.append(';').append(g.frames().get(i).function().replace(';', ':'));
            }
            out.write(line.append(' ').append(g.count()).append('\n').toString());
        }
    }

    /** How a process is named in exports: its executable's file name and pid. */
    public static String processName(StackGroup g) {
        String exe = g.exePath() == null ? "?" : Path.of(g.exePath()).getFileName().toString();
        return exe + " (pid " + g.pid() + ")";
    }

    /**
     * Splits frames (innermost first) into pprof locations: a location is one pc,
     * listing the functions inlined at it innermost first and the real frame last.
     */
    static List<List<Frame>> locations(List<Frame> frames) {
        List<List<Frame>> out = new ArrayList<>();
        List<Frame> current = new ArrayList<>();
        for (Frame f : frames) {
            current.add(f);
            if (!f.inlined()) {
                out.add(List.copyOf(current));
                current.clear();
            }
        }
        if (!current.isEmpty()) {
            out.add(List.copyOf(current));
        }
        return out;
    }

    private static final class Strings {
        final List<String> all = new ArrayList<>(List.of(""));
        final Map<String, Integer> index = new HashMap<>(Map.of("", 0));

        long index(String s) {
            if (s == null) {
                return 0;
            }
            return index.computeIfAbsent(s, k -> {
                all.add(k);
                return all.size() - 1;
            });
        }
    }
}
