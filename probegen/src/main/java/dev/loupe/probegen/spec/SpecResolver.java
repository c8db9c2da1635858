package dev.loupe.probegen.spec;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.godwarf.Field;
import dev.loupe.dwarf.godwarf.Function;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.Types;
import dev.loupe.dwarf.godwarf.Variable;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a spec against a binary's DWARF and turns each expression into an access path ({@link Step}s): the
 * functions exist, each expression's root is a variable of its function, and each selector, index, {@code *},
 * {@code len} and {@code cap} is valid for the type it applies to, by Go's rules (a field selector dereferences a
 * pointer to a struct; fields of embedded structs are promoted, the shallowest winning). Every problem of every
 * function is reported, at its place in the spec file.
 */
public final class SpecResolver {
    /** A type's fields are listed in a message when there are no more than this many. */
    private static final int MAX_LISTED_FIELDS = 12;
    private static final Pattern GO_IDENTIFIER = Pattern.compile("[\\p{L}_][\\p{L}\\p{Nd}_]*");

    private final Spec spec;
    private final String binary;
    private final GoDwarf dwarf;
    private final Types types;
    private final FieldSelector selector;
    private final List<Problem> problems = new ArrayList<>();

    private SpecResolver(Spec spec, GoBinary bin, GoDwarf dwarf) {
        this.spec = spec;
        this.binary = bin.path().toString();
        this.dwarf = dwarf;
        this.types = dwarf.types();
        this.selector = new FieldSelector(types::get, types::underlying);
    }

    /**
     * Resolves every function and capture of {@code spec} in {@code binary}.
     *
     * @throws SpecException with every problem: a binary without (readable) DWARF, unknown functions, variables
     *                       and fields, expressions that do not fit their types
     */
    public static ResolvedSpec resolve(Spec spec, GoBinary binary) throws SpecException {
        String path = binary.path().toString();
        GoDwarf dwarf;
        try {
            if (!binary.hasDwarf()) {
                throw new SpecException(List.of(new Problem(path, 0, 0,
                        "has no DWARF (built with -ldflags=-w or stripped): variables cannot be captured; rebuild without -w/-s")));
            }
            dwarf = binary.dwarf();
        } catch (RuntimeException e) {
            throw new SpecException(List.of(new Problem(path, 0, 0, "cannot read its DWARF (" + e.getMessage() + "); is it a Go binary?")));
        }
        SpecResolver r = new SpecResolver(spec, binary, dwarf);
        List<ResolvedFunction> out = new ArrayList<>();
        for (FunctionSpec f : spec.functions()) {
            r.function(f).ifPresent(out::add);
        }
        if (!r.problems.isEmpty()) {
            throw new SpecException(r.problems);
        }
        return new ResolvedSpec(spec, out);
    }

    private Optional<ResolvedFunction> function(FunctionSpec fs) {
        try {
            Optional<Function> found = dwarf.function(fs.function());
            if (found.isEmpty()) {
                List<String> close = Suggestions.closestFunctions(fs.function(), dwarf.functionNames());
                problem(fs.position(), "unknown function '" + fs.function() + "'" + (close.isEmpty()
                        ? "; `loupe binary funcs " + binary + "` lists the functions" : Suggestions.didYouMean(close)));
                return Optional.empty();
            }
            Function f = found.get();
            List<Variable> vars = dwarf.variables(f);
            List<ResolvedCapture> captures = new ArrayList<>();
            boolean ok = true;
            for (CaptureSpec c : fs.captures()) {
                try {
                    captures.add(capture(f, vars, c));
                } catch (Unresolvable u) {
                    problem(c.position().plusColumns(u.column - 1), u.getMessage());
                    ok = false;
                }
            }
            return ok ? Optional.of(new ResolvedFunction(fs, f, captures)) : Optional.empty();
        } catch (RuntimeException e) {
            // A malformed DIE below one function must not hide the problems of the others.
            problem(fs.position(), "cannot read the DWARF of " + fs.function() + " (" + e.getMessage() + "); is the binary intact?");
            return Optional.empty();
        }
    }

    /** A value on the way along a path: the steps so far and the declared type they lead to. */
    private record Value(List<Step> steps, GoType type) {
        Value then(Step step, GoType next) {
            List<Step> more = new ArrayList<>(steps);
            more.add(step);
            return new Value(more, next);
        }
    }

    private ResolvedCapture capture(Function f, List<Variable> vars, CaptureSpec c) throws Unresolvable {
        Expr expr;
        try {
            expr = ExprParser.parse(c.expr());
        } catch (ExprSyntaxException e) {
            throw new Unresolvable(e.column(), e.getMessage());
        }
        Expr.Ident ident = root(expr);
        List<Variable> named = vars.stream().filter(v -> v.name().equals(ident.name())).toList();
        boolean escaped = named.isEmpty();
        if (escaped) {
            named = vars.stream().filter(v -> v.name().equals("&" + ident.name())).toList();
        }
        if (named.isEmpty()) {
            List<String> names = vars.stream().map(v -> v.name().startsWith("&") ? v.name().substring(1) : v.name())
                    .filter(n -> GO_IDENTIFIER.matcher(n).matches()).distinct().toList();
            List<String> close = Suggestions.closest(ident.name(), names);
            throw new Unresolvable(ident.column(), "unknown variable '" + ident.name() + "' in " + f.name() + (close.isEmpty()
                    ? "; `loupe binary vars " + binary + " " + f.name() + "` lists its variables" : Suggestions.didYouMean(close)));
        }
        Variable first = named.getFirst();
        if (first.type().offset() < 0) {
            throw new Unresolvable(ident.column(), "variable " + ident.name() + " of " + f.name() + " has no type in DWARF ("
                    + first.problem().orElse("no type") + "); it cannot be captured");
        }
        List<Variable> roots = named.stream().filter(v -> v.typeName().equals(first.typeName())).toList();
        GoType rootType = types.get(first.type());
        Value start = new Value(List.of(), rootType);
        if (escaped && types.underlying(rootType) instanceof GoType.Pointer p && p.elem().isPresent()) {
            start = start.then(new Step.Deref(types.get(p.elem().get())), types.get(p.elem().get()));
        }
        Value v = eval(expr, start);
        return new ResolvedCapture(c, expr, roots, rootType, v.steps(), v.type());
    }

    /** The variable an expression starts from. */
    private static Expr.Ident root(Expr e) {
        Expr cur = e;
        while (true) {
            switch (cur) {
                case Expr.Ident i -> {
                    return i;
                }
                case Expr.Field f -> cur = f.x();
                case Expr.Deref d -> cur = d.x();
                case Expr.Index i -> cur = i.x();
                case Expr.Len l -> cur = l.x();
                case Expr.Cap k -> cur = k.x();
            }
        }
    }

    private Value eval(Expr e, Value root) throws Unresolvable {
        return switch (e) {
            case Expr.Ident i -> root;
            case Expr.Field f -> field(f, eval(f.x(), root));
            case Expr.Deref d -> deref(d, eval(d.x(), root));
            case Expr.Index i -> index(i, eval(i.x(), root));
            case Expr.Len l -> len(l, eval(l.x(), root));
            case Expr.Cap c -> cap(c, eval(c.x(), root));
        };
    }

    private Value field(Expr.Field f, Value x) throws Unresolvable {
        GoType u = shape(f.x(), x.type(), f.column());
        Value base = x;
        if (u instanceof GoType.Pointer p && p.elem().isPresent()
                && shape(f.x(), types.get(p.elem().get()), f.column()) instanceof GoType.Struct) {
            // Go's automatic dereference: p.f is (*p).f for a pointer to a struct.
            GoType pointee = types.get(p.elem().get());
            base = x.then(new Step.Deref(pointee), pointee);
            u = types.underlying(pointee);
        }
        if (u instanceof GoType.Struct s) {
            return select(f, base, s);
        }
        String method = method(x.type(), f);
        if (method != null) {
            throw new Unresolvable(f.column(), method);
        }
        String why = u instanceof GoType.Interface
                ? shapeName(x.type()) + ", an interface: its dynamic value's fields cannot be selected (type assertions are not supported); capture "
                  + f.x().text() + " itself"
                : shapeName(x.type()) + ", which has no fields; '.' selects a field of a struct or of a pointer to one";
        throw new Unresolvable(f.column(), f.x().text() + " has type " + why);
    }

    /** Selects {@code f.name()} in {@code s}, the struct {@code base} leads to, as Go does. */
    private Value select(Expr.Field f, Value base, GoType.Struct s) throws Unresolvable {
        switch (selector.select(s, f.name())) {
            case FieldSelector.Selection.Found found -> {
                List<Step> steps = new ArrayList<>(base.steps());
                steps.addAll(found.steps());
                return new Value(steps, found.type());
            }
            case FieldSelector.Selection.Ambiguous a -> throw new Unresolvable(f.column(), "ambiguous selector " + f.text() + ": "
                    + pathText(f, a.first()) + " and " + pathText(f, a.second()) + " are both at depth " + a.depth()
                    + "; write the path out, e.g. " + pathText(f, a.first()));
            case FieldSelector.Selection.NotFound nf -> {
                String method = method(s, f);
                if (method != null) {
                    throw new Unresolvable(f.column(), method);
                }
                List<String> close = Suggestions.closest(f.name(), nf.names());
                String hint = !close.isEmpty() ? Suggestions.didYouMean(close)
                        : nf.names().isEmpty() ? "; it has no fields"
                        : nf.names().size() <= MAX_LISTED_FIELDS ? "; its fields are " + String.join(", ", nf.names())
                        : "; `loupe binary type " + binary + " " + s.name() + "` lists its fields";
                throw new Unresolvable(f.column(), f.text() + ": " + s.name() + " has no field " + f.name() + hint);
            }
        }
    }

    /** {@code x.A.B.name} for a field reached through the fields {@code names}. */
    private static String pathText(Expr.Field f, List<String> names) {
        return (f.x() instanceof Expr.Deref ? "(" + f.x().text() + ")" : f.x().text()) + "." + String.join(".", names);
    }

    /**
     * A message when {@code f} selects a method of {@code t} (or of the type {@code t} points to), which this
     * language cannot call; null when it does not. Methods are found by their linker names, {@code pkg.T.m} and
     * {@code pkg.(*T).m}, among the binary's functions: DWARF lists no methods.
     */
    private String method(GoType t, Expr.Field f) {
        GoType named = t;
        if (types.underlying(t) instanceof GoType.Pointer p && p.elem().isPresent()) {
            named = types.get(p.elem().get());
        }
        String typeName = named.name();
        String pkg = Function.packagePathOf(typeName);
        if (pkg.isEmpty() || typeName.length() <= pkg.length() + 1) {
            return null;
        }
        String local = typeName.substring(pkg.length() + 1);
        Set<String> functions = dwarf.functionNames();
        if (functions.contains(pkg + "." + local + "." + f.name()) || functions.contains(pkg + ".(*" + local + ")." + f.name())) {
            return f.text() + " is a method value (" + f.name() + " is a method of " + typeName + "), and methods cannot be called here; "
                    + "capture a field, or " + f.x().text() + " itself";
        }
        return null;
    }

    private Value deref(Expr.Deref d, Value x) throws Unresolvable {
        GoType u = shape(d.x(), x.type(), d.column());
        if (!(u instanceof GoType.Pointer p)) {
            throw new Unresolvable(d.column(), "cannot dereference " + d.x().text() + ": it has type " + shapeName(x.type())
                    + ", not a pointer" + (u instanceof GoType.Interface ? " (type assertions are not supported)" : "")
                    + "; remove the '*'");
        }
        if (p.elem().isEmpty()) {
            throw new Unresolvable(d.column(), "cannot dereference " + d.x().text() + ": it has type " + x.type().name()
                    + ", whose element type is unknown; capture the pointer itself");
        }
        GoType pointee = types.get(p.elem().get());
        return x.then(new Step.Deref(pointee), pointee);
    }

    private Value index(Expr.Index i, Value x) throws Unresolvable {
        GoType u = shape(i.x(), x.type(), i.column());
        Value base = x;
        if (u instanceof GoType.Pointer p && p.elem().isPresent() && types.underlying(types.get(p.elem().get())) instanceof GoType.Array) {
            // Go indexes a pointer to an array as the array: p[i] is (*p)[i].
            GoType pointee = types.get(p.elem().get());
            base = x.then(new Step.Deref(pointee), pointee);
            u = types.underlying(pointee);
        }
        switch (u) {
            case GoType.Array a -> {
                if (a.count() < 0) {
                    throw new Unresolvable(i.column(), i.x().text() + " has type " + shapeName(x.type()) + ", whose length DWARF does not give; it cannot be indexed");
                }
                if (i.index() >= a.count()) {
                    throw new Unresolvable(i.column(), "index " + i.index() + " out of range: " + i.x().text() + " has type "
                            + shapeName(x.type()) + " (length " + a.count() + "); use an index from 0 to " + (a.count() - 1));
                }
                GoType element = types.get(a.elem());
                return base.then(new Step.Index(i.index(), element, Step.Index.Kind.ARRAY), element);
            }
            case GoType.Slice s -> {
                GoType element = types.get(s.elem());
                return base.then(new Step.Index(i.index(), element, Step.Index.Kind.SLICE), element);
            }
            case GoType.StringType s -> {
                GoType element = byteType(s, i.column());
                return base.then(new Step.Index(i.index(), element, Step.Index.Kind.STRING), element);
            }
            case GoType.MapType m -> throw new Unresolvable(i.column(), "map indexes are not supported (" + i.x().text()
                    + " has type " + x.type().name() + "); capture the map itself");
            default -> throw new Unresolvable(i.column(), "cannot index " + i.x().text() + ": it has type " + shapeName(x.type())
                    + "; only arrays, slices and strings can be indexed");
        }
    }

    private Value len(Expr.Len l, Value x) throws Unresolvable {
        Step.Len.Kind kind = switch (shape(l.x(), x.type(), l.column())) {
            case GoType.StringType s -> Step.Len.Kind.STRING;
            case GoType.Slice s -> Step.Len.Kind.SLICE;
            case GoType.Array a -> Step.Len.Kind.ARRAY;
            case GoType.MapType m -> Step.Len.Kind.MAP;
            case GoType.Chan c -> Step.Len.Kind.CHAN;
            default -> throw new Unresolvable(l.column(), "invalid argument for len: " + l.x().text() + " has type "
                    + shapeName(x.type()) + "; len takes a string, slice, array, map or channel");
        };
        return x.then(new Step.Len(kind), intType(l.column()));
    }

    private Value cap(Expr.Cap c, Value x) throws Unresolvable {
        Step.Cap.Kind kind = switch (shape(c.x(), x.type(), c.column())) {
            case GoType.Slice s -> Step.Cap.Kind.SLICE;
            case GoType.Array a -> Step.Cap.Kind.ARRAY;
            case GoType.Chan ch -> Step.Cap.Kind.CHAN;
            default -> throw new Unresolvable(c.column(), "invalid argument for cap: " + c.x().text() + " has type "
                    + shapeName(x.type()) + "; cap takes a slice, array or channel");
        };
        return x.then(new Step.Cap(kind), intType(c.column()));
    }

    /** The underlying type of {@code t}, the type of {@code x}; a type DWARF could not describe is a problem. */
    private GoType shape(Expr x, GoType t, int column) throws Unresolvable {
        GoType u = types.underlying(t);
        if (u instanceof GoType.Unsupported bad) {
            throw new Unresolvable(column, "the type of " + x.text() + " (" + t.name() + ") cannot be read from DWARF: "
                    + bad.problem() + "; capture something else");
        }
        return u;
    }

    /** A type's name, with its underlying type's when that says more: {@code main.Celsius (float64)}. */
    private String shapeName(GoType t) {
        GoType u = types.underlying(t);
        return u == t || u.name().equals(t.name()) ? t.name() : t.name() + " (" + u.name() + ")";
    }

    private GoType byteType(GoType.StringType s, int column) throws Unresolvable {
        for (Field f : s.fields()) {
            if (f.name().equals("str") && types.underlying(types.get(f.type())) instanceof GoType.Pointer p && p.elem().isPresent()) {
                return types.get(p.elem().get());
            }
        }
        return named("uint8", column);
    }

    private GoType intType(int column) throws Unresolvable {
        return named("int", column);
    }

    private GoType named(String name, int column) throws Unresolvable {
        Optional<GoType> t = types.byName(name);
        if (t.isEmpty()) {
            throw new Unresolvable(column, "the binary's DWARF has no type " + name + "; capture the value itself");
        }
        return t.get();
    }

    private void problem(Position at, String message) {
        problems.add(Problem.at(spec.source(), at, message));
    }

    /** Why an expression cannot be resolved, at a column of its text. */
    private static final class Unresolvable extends Exception {
        private static final long serialVersionUID = 1L;

        final int column;

        Unresolvable(int column, String message) {
            super(message, null, false, false);
            this.column = column;
        }
    }
}
