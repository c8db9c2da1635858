package dev.loupe.dwarf.godwarf;

import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.info.DebugInfo;
import dev.loupe.dwarf.info.Die;
import dev.loupe.dwarf.info.DwAt;
import dev.loupe.dwarf.info.DwTag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves types by DIE offset, one DIE (and its members) at a time, with a cache. Nothing here
 * recurses through the type graph: types point to each other with {@link TypeRef}s, and the
 * only walk (following typedefs to a size or an underlying type) has a hop budget.
 */
public final class Types {
    /** reflect.Kind values that decide a Go type's shape ({@code internal/abi/type.go}). */
    static final int KIND_ARRAY = 17;
    static final int KIND_CHAN = 18;
    static final int KIND_FUNC = 19;
    static final int KIND_INTERFACE = 20;
    static final int KIND_MAP = 21;
    static final int KIND_SLICE = 23;
    static final int KIND_STRING = 24;
    /** Typedef chains longer than this are cycles or corruption. */
    private static final int MAX_HOPS = 64;

    private final DebugInfo info;
    private final Map<Long, GoType> cache = new ConcurrentHashMap<>();

    Types(DebugInfo info) {
        this.info = info;
    }

    /** The type at {@code ref}; an {@link GoType.Unsupported} for a DIE that is not a type or is broken. */
    public GoType get(TypeRef ref) {
        return get(ref.offset());
    }

    /** The type whose DIE is at {@code offset}. */
    public GoType get(long offset) {
        GoType t = cache.get(offset);
        if (t == null) {
            t = read(offset);
            cache.put(offset, t);
        }
        return t;
    }

    /** The type called {@code name} (as DWARF spells it: {@code main.Employee}, {@code runtime.g}). */
    public Optional<GoType> byName(String name) {
        Long off = info.index().types().get(name);
        return off == null ? Optional.empty() : Optional.of(get(off));
    }

    /**
     * The type whose {@code runtime._type} is {@code offset} bytes into the types section
     * ({@code DW_AT_go_runtime_type}; the section starts at {@code runtime.moduledata.types}).
     * An interface's type word minus the types section's address names its dynamic type;
     * {@link GoDwarf#typeAtAddress} does the subtraction when the symbol table is there.
     */
    public Optional<GoType> byRuntimeTypeOffset(long offset) {
        Long off = info.index().runtimeTypes().get(offset);
        return off == null ? Optional.empty() : Optional.of(get(off));
    }

    /** Follows typedefs to the type they name; stops at a cycle with an {@link GoType.Unsupported}. */
    public GoType underlying(GoType t) {
        GoType cur = t;
        for (int hop = 0; hop < MAX_HOPS; hop++) {
            if (!(cur instanceof GoType.Typedef td)) {
                return cur;
            }
            cur = get(td.target());
        }
        return new GoType.Unsupported(t.offset(), t.name(), -1, "typedef chain longer than " + MAX_HOPS + " (a cycle?)");
    }

    /**
     * Whether values of {@code t} are stored in an interface's data word itself rather than pointed to by it
     * (the compiler's isdirectiface): pointers, maps, channels, funcs, and structs and arrays of one such value.
     */
    public boolean pointerShaped(GoType t) {
        GoType cur = t;
        for (int hop = 0; hop < MAX_HOPS; hop++) {
            switch (underlying(cur)) {
                case GoType.Pointer p -> {
                    return true;
                }
                case GoType.MapType m -> {
                    return true;
                }
                case GoType.Chan c -> {
                    return true;
                }
                case GoType.Func f -> {
                    return true;
                }
                case GoType.Array a when a.count() == 1 -> cur = get(a.elem());
                case GoType.Struct s when s.fields().size() == 1 -> cur = get(s.fields().getFirst().type());
                default -> {
                    return false;
                }
            }
        }
        return false;
    }

    /** The size of {@code t}, following typedefs; -1 when unknown. */
    public long sizeOf(GoType t) {
        return t.size() >= 0 ? t.size() : underlying(t).size();
    }

    private GoType read(long offset) {
        Die d;
        try {
            d = info.die(offset);
        } catch (BinaryFormatException e) {
            return new GoType.Unsupported(offset, "", -1, e.getMessage());
        }
        try {
            return classify(d);
        } catch (BinaryFormatException e) {
            return new GoType.Unsupported(offset, d.name(), -1, e.getMessage());
        }
    }

    private GoType classify(Die d) {
        long off = d.offset();
        String name = d.name();
        long size = d.constant(DwAt.BYTE_SIZE).orElse(-1);
        int kind = (int) d.constant(DwAt.GO_KIND).orElse(0);
        Optional<TypeRef> type = ref(d, DwAt.TYPE);
        return switch (d.tag()) {
            case DwTag.BASE_TYPE -> new GoType.Basic(off, name, size, (int) d.constant(DwAt.ENCODING).orElse(0), kind);
            case DwTag.ENUMERATION_TYPE -> new GoType.Basic(off, name, size, 0, kind);
            case DwTag.POINTER_TYPE -> new GoType.Pointer(off, name, size < 0 ? d.unit().addressSize() : size, type);
            case DwTag.STRUCTURE_TYPE, DwTag.UNION_TYPE -> {
                List<Field> fields = fields(d);
                yield switch (kind) {
                    case KIND_SLICE -> new GoType.Slice(off, name, size, ref(d, DwAt.GO_ELEM).orElse(new TypeRef(-1)), fields);
                    case KIND_STRING -> new GoType.StringType(off, name, size, fields);
                    default -> new GoType.Struct(off, name, size, fields);
                };
            }
            case DwTag.ARRAY_TYPE -> new GoType.Array(off, name, size, type.orElse(new TypeRef(-1)), count(d));
            case DwTag.SUBROUTINE_TYPE -> new GoType.Func(off, name, size < 0 ? d.unit().addressSize() : size, parameters(d));
            case DwTag.TYPEDEF -> switch (kind) {
                case KIND_MAP -> new GoType.MapType(off, name, d.unit().addressSize(), ref(d, DwAt.GO_KEY).orElse(new TypeRef(-1)),
                        ref(d, DwAt.GO_ELEM).orElse(new TypeRef(-1)), type.orElse(new TypeRef(-1)));
                case KIND_CHAN -> new GoType.Chan(off, name, d.unit().addressSize(), ref(d, DwAt.GO_ELEM).orElse(new TypeRef(-1)),
                        type.orElse(new TypeRef(-1)));
                case KIND_INTERFACE -> new GoType.Interface(off, name, 2L * d.unit().addressSize(), type.orElse(new TypeRef(-1)));
                default -> typedef(d, name, size, type);
            };
            case DwTag.CONST_TYPE, DwTag.VOLATILE_TYPE, DwTag.RESTRICT_TYPE, DwTag.ATOMIC_TYPE -> typedef(d, name, size, type);
            case DwTag.UNSPECIFIED_TYPE -> new GoType.Unsupported(off, name, size, "unspecified type");
            default -> new GoType.Unsupported(off, name, size, "DIE with tag 0x" + Integer.toHexString(d.tag()) + " is not a type");
        };
    }

    private static GoType typedef(Die d, String name, long size, Optional<TypeRef> type) {
        if (type.isEmpty()) {
            return new GoType.Unsupported(d.offset(), name, size, "typedef without a type");
        }
        OptionalLong dict = d.constant(DwAt.GO_DICT_INDEX);
        return new GoType.Typedef(d.offset(), name, size, type.get(),
                dict.isPresent() ? OptionalInt.of((int) dict.getAsLong()) : OptionalInt.empty());
    }

    private List<Field> fields(Die d) {
        List<Field> out = new ArrayList<>();
        for (Die c : info.children(d)) {
            if (c.tag() != DwTag.MEMBER) {
                continue;
            }
            long at = c.constant(DwAt.DATA_MEMBER_LOCATION).orElse(d.tag() == DwTag.UNION_TYPE ? 0 : -1);
            if (at < 0 && c.has(DwAt.DATA_BIT_OFFSET)) {
                at = c.constant(DwAt.DATA_BIT_OFFSET).getAsLong() / 8;
            }
            out.add(new Field(c.name(), ref(c, DwAt.TYPE).orElse(new TypeRef(-1)), at, c.flag(DwAt.GO_EMBEDDED_FIELD)));
        }
        return List.copyOf(out);
    }

    private long count(Die d) {
        for (Die c : info.children(d)) {
            if (c.tag() == DwTag.SUBRANGE_TYPE) {
                OptionalLong n = c.constant(DwAt.COUNT);
                if (n.isPresent()) {
                    return n.getAsLong();
                }
                OptionalLong upper = c.constant(DwAt.UPPER_BOUND);
                if (upper.isPresent()) {
                    return upper.getAsLong() - c.constant(DwAt.LOWER_BOUND).orElse(0) + 1;
                }
            }
        }
        return -1;
    }

    private List<TypeRef> parameters(Die d) {
        List<TypeRef> out = new ArrayList<>();
        for (Die c : info.children(d)) {
            if (c.tag() == DwTag.FORMAL_PARAMETER) {
                ref(c, DwAt.TYPE).ifPresent(out::add);
            }
        }
        return List.copyOf(out);
    }

    private static Optional<TypeRef> ref(Die d, int attribute) {
        OptionalLong r = d.reference(attribute);
        return r.isPresent() ? Optional.of(new TypeRef(r.getAsLong())) : Optional.empty();
    }
}
