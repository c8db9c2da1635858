package dev.loupe.app.cli;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.godwarf.Field;
import dev.loupe.dwarf.godwarf.Function;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.RangeLocation;
import dev.loupe.dwarf.godwarf.Types;
import dev.loupe.dwarf.godwarf.Variable;
import dev.loupe.dwarf.buildinfo.BuildInfo;
import dev.loupe.dwarf.pclntab.Frame;
import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;
import dev.loupe.dwarf.pclntab.SourceLine;
import dev.loupe.probegen.spec.Suggestions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code loupe binary ...}: what Loupe reads from a Go binary, for users and for checking. */
@Command(name = "binary",
        mixinStandardHelpOptions = true,
        description = "Shows what Loupe reads from a Go binary (works on stripped binaries too).",
        subcommands = {BinaryCommand.Info.class, BinaryCommand.Funcs.class, BinaryCommand.Pc.class,
            BinaryCommand.Vars.class, BinaryCommand.Type.class})
public final class BinaryCommand {

    /** What every {@code binary} subcommand shares: the binary's path, opened around {@link #run(GoBinary, PrintWriter)}. */
    abstract static class OnBinary implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PATH", description = "a Go executable")
        Path path;

        @Override
        public final void run() {
            PrintWriter out = spec.commandLine().getOut();
            try (GoBinary b = GoBinary.open(path)) {
                run(b, out);
            }
            out.flush();
        }

        abstract void run(GoBinary b, PrintWriter out);
    }

    /** {@code loupe binary info PATH}. */
    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Go version, build ids, module, architecture, whether stripped, counts.")
    static final class Info extends OnBinary {
        @Override
        void run(GoBinary b, PrintWriter out) {
            var info = b.buildInfo();
            row(out, "path", b.path().toString());
            row(out, "arch", b.goArch());
            row(out, "go version", info.map(BuildInfo::goVersion).orElse("unknown (no build info)"));
            info.flatMap(BuildInfo::mainModule).ifPresent(m ->
                    row(out, "module", m.path() + (m.version().isEmpty() ? "" : " " + m.version())));
            info.ifPresent(i -> row(out, "main package", i.path()));
            row(out, "go build id", b.goBuildId().orElse("none"));
            row(out, "gnu build id", b.gnuBuildId().orElse("none"));
            row(out, "pie", b.elf().header().isPositionIndependent() ? "yes" : "no");
            row(out, "symbols", b.isStripped() ? "stripped" : "present");
            row(out, "dwarf", b.hasDwarf() ? "version " + b.dwarf().version() : "absent");
            Pclntab tab = b.pclntab();
            row(out, "pclntab", tab.format() + " at 0x" + Long.toHexString(tab.address()));
            row(out, "functions", Integer.toString(tab.functionCount()));
            info.ifPresent(i -> row(out, "dependencies", Integer.toString(i.deps().size())));
        }

        private static void row(PrintWriter out, String key, String value) {
            out.printf("%-13s %s%n", key, value);
        }
    }

    /** {@code loupe binary funcs PATH [REGEX]}. */
    @Command(name = "funcs", mixinStandardHelpOptions = true,
            description = "One function per line: name, entry pc, end pc, file:line of its entry.")
    static final class Funcs extends OnBinary {
        @Parameters(index = "1", arity = "0..1", paramLabel = "REGEX", description = "only functions whose name it finds")
        private String regex;

        @Override
        void run(GoBinary b, PrintWriter out) {
            Pattern filter = compile(spec, regex);
            Pclntab tab = b.pclntab();
            for (Func f : tab.functions()) {
                if (filter != null && !filter.matcher(f.name()).find()) {
                    continue;
                }
                SourceLine at = tab.line(f.entry());
                out.printf("%s 0x%x 0x%x %s:%d%n", f.name(), f.entry(), f.end(), at.file(), at.line());
            }
        }
    }

    /** {@code loupe binary pc PATH 0xPC...}. */
    @Command(name = "pc", mixinStandardHelpOptions = true,
            description = "The frames at a pc, inlined ones included, innermost first.")
    static final class Pc extends OnBinary {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "PC", description = "link-time pcs, hex (0x...)")
        private List<String> pcs;

        @Override
        void run(GoBinary b, PrintWriter out) {
            Pclntab tab = b.pclntab();
            for (String text : pcs) {
                long pc = parsePc(spec, text);
                List<Frame> frames = tab.frames(pc);
                out.printf("0x%x%s%n", pc, frames.isEmpty() ? ": no function at this pc" : "");
                for (Frame f : frames) {
                    out.printf("    %s%s%n        %s:%d%n", f.printName(), f.inlined() ? "  (inlined)" : "", f.file(), f.line());
                }
            }
        }
    }

    /** {@code loupe binary vars PATH FUNC}. */
    @Command(name = "vars", mixinStandardHelpOptions = true,
            description = "A function's parameters, results and locals: type, and location per pc range (needs DWARF).")
    static final class Vars extends OnBinary {
        @Parameters(index = "1", paramLabel = "FUNC", description = "a function name as 'go tool nm' prints it, e.g. main.(*Server).handle")
        private String function;

        @Override
        void run(GoBinary b, PrintWriter out) {
            GoDwarf dwarf = b.dwarf();
            Function f = dwarf.function(function).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                    "no function " + function + " in " + path + Suggestions.didYouMean(Suggestions.closestFunctions(function, dwarf.functionNames()))));
            out.printf("%s  [0x%x, 0x%x)%n", f.name(), f.entry(), f.end());
            for (Variable v : dwarf.variables(f)) {
                out.printf("  %-6s %s %s%s%n", v.kind().name().toLowerCase(Locale.ROOT), v.name(), v.typeName(),
                        v.problem().map(p -> "  (" + p + ")").orElse(""));
                List<RangeLocation> locations = dwarf.locations(f, v);
                if (locations.isEmpty()) {
                    out.println("      no location: optimized out");
                }
                for (RangeLocation l : locations) {
                    out.printf("      %s  %s%n", l.range(), l.location());
                }
            }
        }
    }

    /** {@code loupe binary type PATH NAME}. */
    @Command(name = "type", mixinStandardHelpOptions = true,
            description = "A type's layout: kind, size, and fields with offsets and sizes (needs DWARF).")
    static final class Type extends OnBinary {
        @Parameters(index = "1", paramLabel = "NAME", description = "a type name as DWARF spells it, e.g. main.Server, runtime.g, []string")
        private String name;

        @Override
        void run(GoBinary b, PrintWriter out) {
            Types types = b.dwarf().types();
            GoType t = types.byName(name).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                    "no type " + name + " in " + path));
            out.printf("%s  %s, size %d%n", t.name(), kind(types, t), types.sizeOf(t));
            List<Field> fields = switch (types.underlying(t)) {
                case GoType.Struct s -> s.fields();
                case GoType.Slice s -> s.fields();
                case GoType.StringType s -> s.fields();
                default -> List.of();
            };
            if (!fields.isEmpty()) {
                out.printf("  %6s %6s  %s%n", "offset", "size", "field");
            }
            for (Field f : fields) {
                GoType ft = types.get(f.type());
                out.printf("  %6d %6d  %s %s%s%n", f.offset(), types.sizeOf(ft), f.name(), ft.name(),
                        f.embedded() ? "  (embedded)" : "");
            }
        }

        private static String kind(Types types, GoType t) {
            return switch (t) {
                case GoType.Typedef d -> "defined as " + types.get(d.target()).name();
                case GoType.Basic x -> "basic";
                case GoType.Pointer p -> "pointer to " + p.elem().map(e -> types.get(e).name()).orElse("unknown");
                case GoType.Struct x -> "struct";
                case GoType.Slice s -> "slice of " + types.get(s.elem()).name();
                case GoType.StringType x -> "string";
                case GoType.Array a -> "array of " + a.count() + " " + types.get(a.elem()).name();
                case GoType.MapType m -> "map from " + types.get(m.key()).name() + " to " + types.get(m.elem()).name();
                case GoType.Chan c -> "channel of " + types.get(c.elem()).name();
                case GoType.Interface x -> "interface";
                case GoType.Func x -> "func";
                case GoType.Unsupported u -> "unsupported: " + u.problem();
            };
        }
    }

    static long parsePc(CommandLine.Model.CommandSpec spec, String text) {
        String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        try {
            return Long.parseUnsignedLong(digits, 16);
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "'" + text + "' is not a hex pc such as 0x4a5b10");
        }
    }

    private static Pattern compile(CommandLine.Model.CommandSpec spec, String regex) {
        if (regex == null) {
            return null;
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "'" + regex + "' is not a valid regular expression: " + e.getDescription());
        }
    }
}
