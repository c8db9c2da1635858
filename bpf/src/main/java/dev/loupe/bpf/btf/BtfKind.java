package dev.loupe.bpf.btf;

import java.util.Optional;

/**
 * The kinds of {@code struct btf_type} ({@code BTF_KIND_*} in the uapi {@code linux/btf.h}), with the size of
 * the data that follows each type in the type section.
 */
public enum BtfKind {
    /** Kind 0: only type id 0, {@code void}; never stored in the type section. */
    VOID(0, 0, 0),
    INT(1, 4, 0),
    PTR(2, 0, 0),
    /** Followed by {@code struct btf_array}. */
    ARRAY(3, 12, 0),
    /** Followed by {@code vlen} × {@code struct btf_member}. */
    STRUCT(4, 0, 12),
    UNION(5, 0, 12),
    /** Followed by {@code vlen} × {@code struct btf_enum}. */
    ENUM(6, 0, 8),
    FWD(7, 0, 0),
    TYPEDEF(8, 0, 0),
    VOLATILE(9, 0, 0),
    CONST(10, 0, 0),
    RESTRICT(11, 0, 0),
    /** A function; {@code vlen} is its linkage and {@code type} its FUNC_PROTO. */
    FUNC(12, 0, 0),
    /** Followed by {@code vlen} × {@code struct btf_param}. */
    FUNC_PROTO(13, 0, 8),
    /** Followed by {@code struct btf_var}. */
    VAR(14, 4, 0),
    /** Followed by {@code vlen} × {@code struct btf_var_secinfo}. */
    DATASEC(15, 0, 12),
    FLOAT(16, 0, 0),
    /** Followed by {@code struct btf_decl_tag}. */
    DECL_TAG(17, 4, 0),
    TYPE_TAG(18, 0, 0),
    /** Followed by {@code vlen} × {@code struct btf_enum64}. */
    ENUM64(19, 0, 12);

    private static final BtfKind[] BY_VALUE = values();

    private final int value;
    private final int fixedTrailer;
    private final int perItem;

    BtfKind(int value, int fixedTrailer, int perItem) {
        this.value = value;
        this.fixedTrailer = fixedTrailer;
        this.perItem = perItem;
    }

    /** The kind as encoded in bits 24–28 of {@code info}. */
    public int value() {
        return value;
    }

    /** The number of bytes after the 12-byte {@code struct btf_type} for a type with this {@code vlen}. */
    long trailerBytes(int vlen) {
        return fixedTrailer + (long) perItem * vlen;
    }

    /** The kind with this number, if it is one this reader knows. */
    public static Optional<BtfKind> of(int value) {
        return value > 0 && value < BY_VALUE.length ? Optional.of(BY_VALUE[value]) : Optional.empty();
    }
}
