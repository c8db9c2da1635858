package dev.loupe.app.cli;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.buildinfo.BuildInfo;
import dev.loupe.dwarf.pclntab.Frame;
import dev.loupe.dwarf.pclntab.Func;
import dev.loupe.dwarf.pclntab.Pclntab;
import dev.loupe.dwarf.pclntab.SourceLine;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code loupe binary ...}: what Loupe reads from a Go binary, for users and for checking. */
@Command(name = "binary",
        mixinStandardHelpOptions = true,
        description = "Shows what Loupe reads from a Go binary (works on stripped binaries too).",
        subcommands = {BinaryCommand.Info.class, BinaryCommand.Funcs.class, BinaryCommand.Pc.class})
public final class BinaryCommand {

    /** {@code loupe binary info PATH}. */
    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Go version, build ids, module, architecture, whether stripped, counts.")
    static final class Info implements Runnable {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PATH", description = "a Go executable")
        private Path path;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            try (GoBinary b = GoBinary.open(path)) {
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
                row(out, "dwarf", b.hasDwarf() ? "present" : "absent");
                Pclntab tab = b.pclntab();
                row(out, "pclntab", tab.format() + " at 0x" + Long.toHexString(tab.address()));
                row(out, "functions", Integer.toString(tab.functionCount()));
                info.ifPresent(i -> row(out, "dependencies", Integer.toString(i.deps().size())));
            }
            out.flush();
        }

        private static void row(PrintWriter out, String key, String value) {
            out.printf("%-13s %s%n", key, value);
        }
    }

    /** {@code loupe binary funcs PATH [REGEX]}. */
    @Command(name = "funcs", mixinStandardHelpOptions = true,
            description = "One function per line: name, entry pc, end pc, file:line of its entry.")
    static final class Funcs implements Runnable {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PATH", description = "a Go executable")
        private Path path;

        @Parameters(index = "1", arity = "0..1", paramLabel = "REGEX", description = "only functions whose name it finds")
        private String regex;

        @Override
        public void run() {
            Pattern filter = compile(spec, regex);
            PrintWriter out = spec.commandLine().getOut();
            try (GoBinary b = GoBinary.open(path)) {
                Pclntab tab = b.pclntab();
                for (Func f : tab.functions()) {
                    if (filter != null && !filter.matcher(f.name()).find()) {
                        continue;
                    }
                    SourceLine at = tab.line(f.entry());
                    out.printf("%s 0x%x 0x%x %s:%d%n", f.name(), f.entry(), f.end(), at.file(), at.line());
                }
            }
            out.flush();
        }
    }

    /** {@code loupe binary pc PATH 0xPC...}. */
    @Command(name = "pc", mixinStandardHelpOptions = true,
            description = "The frames at a pc, inlined ones included, innermost first.")
    static final class Pc implements Runnable {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PATH", description = "a Go executable")
        private Path path;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "PC", description = "link-time pcs, hex (0x...)")
        private List<String> pcs;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            try (GoBinary b = GoBinary.open(path)) {
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
            out.flush();
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
