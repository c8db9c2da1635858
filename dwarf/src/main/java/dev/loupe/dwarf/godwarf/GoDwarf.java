package dev.loupe.dwarf.godwarf;

import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.elf.ElfFile;
import dev.loupe.dwarf.info.DebugInfo;
import dev.loupe.dwarf.info.Die;
import dev.loupe.dwarf.info.DwAt;
import dev.loupe.dwarf.info.DwTag;
import dev.loupe.dwarf.info.Unit;
import dev.loupe.dwarf.line.LineTable;
import dev.loupe.dwarf.loclist.LocationEntry;
import dev.loupe.dwarf.loclist.Lists;
import dev.loupe.dwarf.loclist.PcRange;
import dev.loupe.dwarf.op.Expressions;
import dev.loupe.dwarf.op.Location;

import java.util.AbstractList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.HashMap;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The DWARF of a Go binary seen as Go sees it: functions with their variables and inlined
 * calls, types, package-level variables, and where a variable is at a pc. Obtained from
 * {@code GoBinary.dwarf()}; opening indexes the names, everything else is read on demand and
 * cached where it is reused.
 *
 * <p>Trouble with one variable is reported in the result ({@link Variable#problem()},
 * {@link Location.Problem}, {@link GoType.Unsupported}) rather than thrown, so one bad DIE does
 * not hide the rest; a broken DIE tree (a function's children, a unit) throws
 * {@link BinaryFormatException}, which names the file, the section and the offset.
 * Addresses and pcs are link-time ones: subtract a PIE's load bias first.
 */
public final class GoDwarf {
    /** DIEs read below one function before giving up: a corrupt tree cannot run away. */
    private static final int MAX_DIES_PER_FUNCTION = 200_000;
    /** Abstract-origin hops before giving up: origins can chain (inlined into inlined). */
    private static final int MAX_ORIGIN_HOPS = 8;

    private final ElfFile elf;
    private final DebugInfo info;
    private final Types types;
    private final Map<Long, LineTable> fileTables = new ConcurrentHashMap<>();
    private static final String ITAB_PREFIX = "go:itab.";
    private volatile Map<Long, Long> runtimeTypeByDie;
    /** The symbol table's itab symbols, listed on first use. */
    private volatile List<String> itabs;

    private GoDwarf(ElfFile elf, DebugInfo info) {
        this.elf = elf;
        this.info = info;
        this.types = new Types(info);
    }

    /**
     * Opens and indexes the DWARF of {@code elf}.
     *
     * @throws BinaryFormatException if it has none or it is malformed
     */
    public static GoDwarf read(ElfFile elf) {
        return new GoDwarf(elf, DebugInfo.read(elf));
    }

    /** The raw DIE reader, for what this model does not cover. */
    public DebugInfo info() {
        return info;
    }

    /** The DWARF version (4 or 5 for Go; 5 by default since Go 1.25 on Linux). */
    public int version() {
        return info.version();
    }

    public Types types() {
        return types;
    }

    /** The names of all functions with code. */
    public Set<String> functionNames() {
        return info.index().functions().keySet();
    }

    /** All functions with code, sorted by entry pc; each is read when the list element is. */
    public List<Function> functions() {
        long[] dies = info.index().functionDies();
        return new AbstractList<>() {
            @Override
            public Function get(int i) {
                return function(info.die(dies[i]));
            }

            @Override
            public int size() {
                return dies.length;
            }
        };
    }

    /** The function called {@code name} (the linker's name, as {@code go tool nm} prints it). */
    public Optional<Function> function(String name) {
        Long off = info.index().functions().get(name);
        return off == null ? Optional.empty() : Optional.of(function(info.die(off)));
    }

    /** The function whose code contains {@code pc} (a link-time address). */
    public Optional<Function> functionAt(long pc) {
        long off = info.functionDieAt(pc);
        return off < 0 ? Optional.empty() : Optional.of(function(info.die(off)));
    }

    /**
     * The type whose {@code runtime._type} is at link-time {@code address} (an interface's type
     * word, or an itab's type, minus the load bias): names an interface's dynamic type. Needs the
     * symbol table for the types section's start ({@code type:*}); empty without it.
     */
    public Optional<GoType> typeAtAddress(long address) {
        return elf.symbol("type:*").flatMap(start -> types.byRuntimeTypeOffset(address - start.value()));
    }

    /**
     * The link-time address of the {@code runtime._type} of {@code t} (the inverse of {@link #typeAtAddress}): what an
     * interface holding a value of that type has in its type word. Empty without the symbol table, or for a type
     * the binary has no runtime type of.
     */
    public OptionalLong runtimeTypeAddress(GoType t) {
        var start = elf.symbol("type:*");
        if (start.isEmpty()) {
            return OptionalLong.empty();
        }
        Map<Long, Long> byDie = runtimeTypeByDie;
        if (byDie == null) {
            byDie = new HashMap<>();
            for (Map.Entry<Long, Long> e : info.index().runtimeTypes().entrySet()) {
                byDie.putIfAbsent(e.getValue(), e.getKey());
            }
            runtimeTypeByDie = byDie;
        }
        Long offset = byDie.get(t.offset());
        return offset == null ? OptionalLong.empty() : OptionalLong.of(start.get().value() + offset);
    }

    /**
     * Every type the binary has a {@code runtime._type} of ({@code DW_AT_go_runtime_type}): the types an empty
     * interface's value can have, in the order of their runtime types.
     */
    public List<GoType> runtimeTypes() {
        return info.index().runtimeTypes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(Map.Entry::getValue).distinct().map(types::get).toList();
    }

    /**
     * The concrete types the binary has an itab for with the interface called {@code interfaceName}: the dynamic
     * types a value of that (non-empty) interface can have. From the symbol table's {@code go:itab.T,I} symbols;
     * empty without it.
     */
    public List<GoType> itabTypes(String interfaceName) {
        List<String> names = itabs;
        if (names == null) {
            names = elf.symbols().stream().map(sym -> sym.name()).filter(n -> n.startsWith(ITAB_PREFIX)).toList();
            itabs = names;
        }
        // go:itab.CONCRETE,INTERFACE: either name may hold commas of its own (type arguments), the suffix decides.
        String suffix = "," + interfaceName;
        List<GoType> out = new ArrayList<>();
        for (String n : names) {
            if (n.endsWith(suffix) && n.length() > ITAB_PREFIX.length() + suffix.length()) {
                types.byName(n.substring(ITAB_PREFIX.length(), n.length() - suffix.length())).ifPresent(out::add);
            }
        }
        return out;
    }

    /** The address of the package-level variable {@code name} (e.g. "runtime.allgs"), if DWARF gives one. */
    public OptionalLong globalAddress(String name) {
        Long off = info.index().variables().get(name);
        if (off == null) {
            return OptionalLong.empty();
        }
        Die d = info.die(off);
        Optional<byte[]> expr = d.block(DwAt.LOCATION);
        if (expr.isEmpty()) {
            return OptionalLong.empty();
        }
        return Expressions.evaluate(expr.get(), Expressions.GO_FRAME_BASE, d.unit().addressSize()) instanceof Location.Address a
                ? OptionalLong.of(a.address()) : OptionalLong.empty();
    }

    /** The type of the package-level variable {@code name}. */
    public Optional<GoType> globalType(String name) {
        Long off = info.index().variables().get(name);
        if (off == null) {
            return Optional.empty();
        }
        OptionalLong t = info.die(off).reference(DwAt.TYPE);
        return t.isPresent() ? Optional.of(types.get(t.getAsLong())) : Optional.empty();
    }

    private Function function(Die d) {
        Die named = origin(d);
        String name = named.name();
        String pkg = Function.packagePathOf(name);
        Location frameBase = d.block(DwAt.FRAME_BASE)
                .map(b -> Expressions.evaluate(b, Expressions.GO_FRAME_BASE, d.unit().addressSize()))
                .orElse(Expressions.GO_FRAME_BASE);
        return new Function(name, pkg, receiver(name, pkg), d.offset(), Lists.ranges(info, d),
                file(named.unit(), named.constant(DwAt.DECL_FILE).orElse(-1)), (int) named.constant(DwAt.DECL_LINE).orElse(0), frameBase);
    }

    /** The receiver where the name shows it: "(*T).m" always, "T.m" when T is a type of the package. */
    private Optional<String> receiver(String name, String pkg) {
        if (pkg.isEmpty() || name.length() <= pkg.length() + 1) {
            return Optional.empty();
        }
        String rest = name.substring(pkg.length() + 1);
        if (rest.startsWith("(*")) {
            int close = rest.indexOf(')');
            return close < 0 ? Optional.empty() : Optional.of("*" + rest.substring(2, close));
        }
        int depth = 0;
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == '.' && depth == 0) {
                String type = rest.substring(0, i);
                return info.index().types().containsKey(pkg + "." + type) ? Optional.of(type) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * The parameters, results and locals of {@code f} (including those of nested lexical
     * blocks, not those of inlined calls), in DIE order.
     */
    public List<Variable> variables(Function f) {
        List<Variable> out = new ArrayList<>();
        walk(f, (die, depth, scope) -> {
            if (depth == 0 && (die.tag() == DwTag.FORMAL_PARAMETER || die.tag() == DwTag.VARIABLE)) {
                out.add(variable(die, scope));
            }
        });
        return out;
    }

    /** The calls inlined into {@code f}, in DIE order (a call before those inlined into it), each with its variables. */
    public List<InlinedCall> inlinedCalls(Function f) {
        List<InlinedCall> out = new ArrayList<>();
        walk(f, (die, depth, scope) -> {
            if (die.tag() == DwTag.INLINED_SUBROUTINE) {
                Die origin = origin(die);
                List<Variable> vars = new ArrayList<>();
                for (Die c : info.children(die)) {
                    if (c.tag() == DwTag.FORMAL_PARAMETER || c.tag() == DwTag.VARIABLE) {
                        vars.add(variable(c, List.of()));
                    }
                }
                out.add(new InlinedCall(origin.name(), origin.offset(), safeRanges(die),
                        file(die.unit(), die.constant(DwAt.CALL_FILE).orElse(-1)), (int) die.constant(DwAt.CALL_LINE).orElse(0),
                        depth + 1, List.copyOf(vars)));
            }
        });
        return out;
    }

    /**
     * Where {@code v} of {@code f} is at {@code pc}: the location list entry covering the pc,
     * evaluated against the function's frame base. Never throws.
     */
    public Location location(Function f, Variable v, long pc) {
        if (v.locations().isEmpty()) {
            return new Location.Unavailable(v.problem().orElse("no location: optimized out"));
        }
        for (LocationEntry e : v.locations()) {
            if (e.range().contains(pc)) {
                return Expressions.evaluate(e.expression(), f.frameBase(), addressSize(f));
            }
        }
        return new Location.Unavailable("no location at pc 0x" + Long.toHexString(pc));
    }

    /** Every entry of {@code v}'s location list, evaluated: what {@code loupe binary vars} prints. Never throws. */
    public List<RangeLocation> locations(Function f, Variable v) {
        int size = addressSize(f);
        return v.locations().stream()
                .map(e -> new RangeLocation(e.range(), Expressions.evaluate(e.expression(), f.frameBase(), size)))
                .toList();
    }

    private int addressSize(Function f) {
        try {
            return info.unitOf(f.dieOffset()).addressSize();
        } catch (BinaryFormatException e) {
            return 8;
        }
    }

    /** The file name for index {@code i} of the unit's line table, or "". */
    private String file(Unit u, long i) {
        if (i < 0) {
            return "";
        }
        try {
            return fileTables.computeIfAbsent(u.offset(), k -> LineTable.read(info, u, false)).file(i);
        } catch (BinaryFormatException e) {
            return "";
        }
    }

    /** The line table of the unit that contains {@code f}, with its rows. */
    public LineTable lineTable(Function f) {
        return LineTable.read(info, info.unitOf(f.dieOffset()), true);
    }

    private Variable variable(Die die, List<PcRange> scope) {
        try {
            Die named = origin(die);
            OptionalLong t = named.reference(DwAt.TYPE);
            TypeRef type = new TypeRef(t.orElse(-1));
            String typeName = t.isPresent() ? typeName(types.get(t.getAsLong())) : "";
            Variable.Kind kind = die.tag() == DwTag.VARIABLE ? Variable.Kind.LOCAL
                    : named.flag(DwAt.VARIABLE_PARAMETER) ? Variable.Kind.RESULT : Variable.Kind.PARAMETER;
            List<LocationEntry> locs = Lists.locations(info, die);
            return new Variable(named.name(), kind, type, typeName, (int) named.constant(DwAt.DECL_LINE).orElse(0), locs, scope,
                    die.offset(), t.isPresent() ? Optional.empty() : Optional.of("no type"));
        } catch (BinaryFormatException e) {
            return new Variable("", Variable.Kind.LOCAL, new TypeRef(-1), "", 0, List.of(), scope, die.offset(),
                    Optional.of(e.getMessage()));
        }
    }

    /** A type's name; for the dictionary typedefs of generic functions (".param2"), the shape type's name. */
    private String typeName(GoType t) {
        return t instanceof GoType.Typedef td && td.dictIndex().isPresent() ? types.get(td.target()).name() : t.name();
    }

    private List<PcRange> safeRanges(Die d) {
        try {
            return Lists.ranges(info, d);
        } catch (BinaryFormatException e) {
            return List.of();
        }
    }

    /** The DIE that carries the name and type: {@code d} itself, or its abstract origin chain's end. */
    private Die origin(Die d) {
        Die cur = d;
        for (int hop = 0; hop < MAX_ORIGIN_HOPS; hop++) {
            OptionalLong o = cur.reference(DwAt.ABSTRACT_ORIGIN);
            if (o.isEmpty() || cur.has(DwAt.NAME)) {
                return cur;
            }
            cur = info.die(o.getAsLong());
        }
        return cur;
    }

    private interface Visitor {
        /**
         * @param die   a DIE below the function
         * @param depth how many inlined subroutines enclose it
         * @param scope the ranges of the innermost lexical block enclosing it, or empty
         */
        void visit(Die die, int depth, List<PcRange> scope);
    }

    private record Pending(Die die, int depth, List<PcRange> scope) {}

    /** Visits the DIEs below {@code f} in order, descending into lexical blocks and inlined calls. */
    private void walk(Function f, Visitor visitor) {
        Deque<Pending> stack = new ArrayDeque<>();
        List<Die> top = info.children(info.die(f.dieOffset()));
        for (int i = top.size() - 1; i >= 0; i--) {
            stack.push(new Pending(top.get(i), 0, List.of()));
        }
        int budget = MAX_DIES_PER_FUNCTION;
        while (!stack.isEmpty()) {
            if (--budget < 0) {
                throw info.error(f.dieOffset(), "more than " + MAX_DIES_PER_FUNCTION + " DIEs below " + f.name());
            }
            Pending p = stack.pop();
            visitor.visit(p.die(), p.depth(), p.scope());
            int tag = p.die().tag();
            if (tag == DwTag.LEXICAL_BLOCK || tag == DwTag.INLINED_SUBROUTINE) {
                int depth = tag == DwTag.INLINED_SUBROUTINE ? p.depth() + 1 : p.depth();
                List<PcRange> scope = tag == DwTag.LEXICAL_BLOCK ? safeRanges(p.die()) : List.of();
                List<Die> kids = info.children(p.die());
                for (int i = kids.size() - 1; i >= 0; i--) {
                    stack.push(new Pending(kids.get(i), depth, scope));
                }
            }
        }
    }
}
