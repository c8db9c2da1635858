package dev.loupe.dwarf.runtime;

import dev.loupe.dwarf.elf.ElfFile;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.pclntab.Pclntab;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Obtains {@link RuntimeLayout}s: from DWARF, or from the per-Go-minor-version tables under
 * {@code dev/loupe/dwarf/runtime/go1.N.properties} that {@link LayoutTableGenerator} writes.
 * A table holds every offset and size as {@code component.field=value} (e.g.
 * {@code g.goid=152}, {@code map.kind=swiss}); addresses of globals are per binary and not in it.
 */
public final class RuntimeLayouts {
    private static final String WAIT_REASON = "waitReason.";
    private static final Pattern MINOR = Pattern.compile("^(go\\d+\\.\\d+)(?:[.rcbeta].*)?$");
    /** The command that writes a table, quoted in errors. */
    static final String GENERATE_COMMAND =
            "./mvnw -q -pl dwarf -am compile && java -cp dwarf/target/classes dev.loupe.dwarf.runtime.LayoutTableGenerator %s dwarf/src/main/resources";

    private RuntimeLayouts() {}

    /**
     * Reads the layout from {@code dwarf}.
     *
     * @throws dev.loupe.dwarf.BinaryFormatException if the DWARF has no {@code runtime.g}
     */
    public static RuntimeLayout fromDwarf(GoDwarf dwarf, String goVersion) {
        return LayoutReader.read(dwarf, goVersion);
    }

    /**
     * The layout of a binary without DWARF: the shipped table for its Go version, with the addresses of the globals
     * from its symbol table or, when it has none, found in its code ({@link StrippedGlobals}).
     *
     * @throws UnknownGoVersionException if there is no table for {@code goVersion}
     */
    public static RuntimeLayout withoutDwarf(ElfFile elf, Pclntab pclntab, String goVersion) {
        RuntimeLayout table = fromTable(goVersion);
        OptionalLong allgs = symbol(elf, "runtime.allgs");
        return table.withGlobals(allgs.isPresent()
                ? new RuntimeLayout.Globals(allgs, symbol(elf, "runtime.allglen"))
                : StrippedGlobals.find(elf, pclntab, elf.header().goArch()));
    }

    private static OptionalLong symbol(ElfFile elf, String name) {
        return elf.symbol(name).map(s -> OptionalLong.of(s.value())).orElse(OptionalLong.empty());
    }

    /**
     * The shipped table for {@code goVersion}'s minor version.
     *
     * @throws UnknownGoVersionException if there is none
     */
    public static RuntimeLayout fromTable(String goVersion) {
        String minor = minorVersion(goVersion);
        return parse(table(minor).orElseThrow(() -> new UnknownGoVersionException(goVersion, "no runtime layout table for "
                + goVersion + " (this binary has no DWARF, so Loupe needs one for " + minor + "); generate it with: "
                + GENERATE_COMMAND.formatted(minor))), goVersion);
    }

    /**
     * {@code runtime.waitReasonStrings} of {@code goVersion}'s minor version, from its table: what a binary without
     * symbols cannot tell. Empty when there is no table.
     */
    public static List<String> waitReasonsFromTable(String goVersion) {
        Optional<Properties> p = table(minorVersion(goVersion));
        List<String> out = new ArrayList<>();
        for (int i = 0; p.isPresent() && p.get().getProperty(WAIT_REASON + i) != null; i++) {
            out.add(p.get().getProperty(WAIT_REASON + i));
        }
        return List.copyOf(out);
    }

    /** The table lines of the wait reasons, in their order. */
    static List<String> waitReasonLines(List<String> waitReasons) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < waitReasons.size(); i++) {
            out.add(WAIT_REASON + i + "=" + waitReasons.get(i));
        }
        return out;
    }

    private static Optional<Properties> table(String minor) {
        try (InputStream in = RuntimeLayouts.class.getResourceAsStream(tableName(minor))) {
            if (in == null) {
                return Optional.empty();
            }
            Properties p = new Properties();
            p.load(new StringReader(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            return Optional.of(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "go1.26" for "go1.26.8", "go1.26rc1" or "go1.26"; the input when it has no minor version. */
    public static String minorVersion(String goVersion) {
        Matcher m = MINOR.matcher(goVersion);
        return m.matches() ? m.group(1) : goVersion;
    }

    /** The resource name of a minor version's table, relative to this class. */
    static String tableName(String minor) {
        return minor + ".properties";
    }

    /** The table lines for {@code layout}, sorted, without globals (they are per binary). */
    static List<String> tableLines(RuntimeLayout layout) {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : RuntimeLayout.class.getRecordComponents()) {
            Object value = get(c, layout);
            if (value instanceof Record r && !(value instanceof RuntimeLayout.Globals)) {
                if (value instanceof RuntimeLayout.MapLayout) {
                    out.add(c.getName() + ".kind=" + (value instanceof RuntimeLayout.SwissMap ? "swiss" : "hmap"));
                }
                for (RecordComponent f : r.getClass().getRecordComponents()) {
                    out.add(c.getName() + "." + f.getName() + "=" + get(f, r));
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static RuntimeLayout parse(Properties p, String goVersion) {
        List<Object> args = new ArrayList<>();
        for (RecordComponent c : RuntimeLayout.class.getRecordComponents()) {
            Class<?> t = c.getType();
            if (t == String.class) {
                args.add(goVersion);
            } else if (t == RuntimeLayout.Source.class) {
                args.add(RuntimeLayout.Source.TABLE);
            } else if (t == RuntimeLayout.Globals.class) {
                args.add(new RuntimeLayout.Globals(OptionalLong.empty(), OptionalLong.empty()));
            } else if (t == RuntimeLayout.MapLayout.class) {
                boolean swiss = "swiss".equals(p.getProperty(c.getName() + ".kind"));
                args.add(build(swiss ? RuntimeLayout.SwissMap.class : RuntimeLayout.Hmap.class, c.getName(), p));
            } else {
                args.add(build(t, c.getName(), p));
            }
        }
        return (RuntimeLayout) construct(RuntimeLayout.class, args.toArray());
    }

    private static Object build(Class<?> type, String prefix, Properties p) {
        RecordComponent[] cs = type.getRecordComponents();
        Object[] values = new Object[cs.length];
        for (int i = 0; i < cs.length; i++) {
            String v = p.getProperty(prefix + "." + cs[i].getName());
            values[i] = v == null ? RuntimeLayout.ABSENT : Long.parseLong(v.strip());
        }
        return construct(type, values);
    }

    private static Object construct(Class<?> type, Object[] args) {
        RecordComponent[] cs = type.getRecordComponents();
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            types[i] = cs[i].getType();
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    private static Object get(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c, e);
        }
    }
}
