package dev.loupe.probegen.spec;

import dev.loupe.dwarf.godwarf.Field;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.TypeRef;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Go's field selection in a struct (https://go.dev/ref/spec#Selectors): the field of that name at the shallowest
 * depth of embedding, which must be the only one there; embedded structs and embedded pointers to structs are
 * searched, each struct type once (at its shallowest depth), like {@code go/types.LookupFieldOrMethod}.
 */
final class FieldSelector {
    /** Embedded structs nested deeper than this are not searched. */
    private static final int MAX_DEPTH = 16;

    /** What selecting a name found. */
    sealed interface Selection {
        /** The field: the steps from the struct's value to it, and its declared type. */
        record Found(List<Step> steps, GoType type) implements Selection {}

        /** Two fields of that name at the same depth, each as the names of the fields leading to it. */
        record Ambiguous(List<String> first, List<String> second, int depth) implements Selection {}

        /** No such field; {@code names} are the fields there are, promoted ones included, shallowest first. */
        record NotFound(Set<String> names) implements Selection {}
    }

    private record Hop(Field field, GoType type) {}

    /**
     * A struct to search at some depth and the fields that lead to it; {@code other} is a second path of the same
     * depth to it, or null when there is none.
     */
    private record Embedded(GoType.Struct struct, List<Hop> via, List<Hop> other) {}

    private final Function<TypeRef, GoType> types;
    private final UnaryOperator<GoType> underlying;

    /**
     * @param types      resolves a type reference
     * @param underlying follows typedefs
     */
    FieldSelector(Function<TypeRef, GoType> types, UnaryOperator<GoType> underlying) {
        this.types = types;
        this.underlying = underlying;
    }

    /** Selects the field {@code name} of {@code s}; blank fields ({@code _}) are never selected. */
    Selection select(GoType.Struct s, String name) {
        List<Embedded> level = List.of(new Embedded(s, List.of(), null));
        Set<Long> seen = new HashSet<>();
        Set<String> names = new LinkedHashSet<>();
        for (int depth = 0; depth <= MAX_DEPTH && !level.isEmpty(); depth++) {
            for (Embedded e : level) {
                seen.add(e.struct().offset());
            }
            List<List<Hop>> matches = new ArrayList<>();
            Map<Long, Embedded> next = new LinkedHashMap<>();
            for (Embedded e : level) {
                for (Field field : e.struct().fields()) {
                    if (field.name().equals("_")) {
                        continue;
                    }
                    names.add(field.name());
                    Hop hop = new Hop(field, types.apply(field.type()));
                    List<Hop> via = extend(e.via(), hop);
                    List<Hop> other = e.other() == null ? null : extend(e.other(), hop);
                    if (field.name().equals(name)) {
                        matches.add(via);
                        if (other != null) {
                            matches.add(other);
                        }
                    }
                    GoType.Struct inner = field.embedded() ? embeddedStruct(hop.type()) : null;
                    if (inner != null && !seen.contains(inner.offset())) {
                        // The same struct reached twice at one depth makes its fields ambiguous there.
                        next.merge(inner.offset(), new Embedded(inner, via, other),
                                (a, b) -> new Embedded(a.struct(), a.via(), a.other() != null ? a.other() : b.via()));
                    }
                }
            }
            if (matches.size() > 1) {
                return new Selection.Ambiguous(names(matches.get(0)), names(matches.get(1)), depth);
            }
            if (matches.size() == 1) {
                return found(matches.getFirst());
            }
            level = List.copyOf(next.values());
        }
        return new Selection.NotFound(names);
    }

    private Selection.Found found(List<Hop> hops) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < hops.size(); i++) {
            Hop h = hops.get(i);
            steps.add(new Step.FieldAt(h.field().name(), h.field().offset(), h.type()));
            if (i < hops.size() - 1 && underlying.apply(h.type()) instanceof GoType.Pointer p && p.elem().isPresent()) {
                steps.add(new Step.Deref(types.apply(p.elem().get())));
            }
        }
        return new Selection.Found(steps, hops.getLast().type());
    }

    /** The struct an embedded field of type {@code t} brings in: {@code T} or {@code *T} for a struct T; else null. */
    private GoType.Struct embeddedStruct(GoType t) {
        GoType u = underlying.apply(t);
        if (u instanceof GoType.Pointer p && p.elem().isPresent()) {
            u = underlying.apply(types.apply(p.elem().get()));
        }
        return u instanceof GoType.Struct s ? s : null;
    }

    private static List<Hop> extend(List<Hop> hops, Hop hop) {
        List<Hop> out = new ArrayList<>(hops);
        out.add(hop);
        return List.copyOf(out);
    }

    private static List<String> names(List<Hop> hops) {
        return hops.stream().map(h -> h.field().name()).toList();
    }
}
