package dev.loupe.bpf.btf;

import java.util.List;

/** One decoded BTF type; each record is one kind (or a family of kinds with the same shape). */
public sealed interface BtfType {

    /** The type id: 0 for void, 1 and up in the order of the type section. */
    int id();

    /** The name; empty for anonymous types. */
    String name();

    /** The kind. */
    BtfKind kind();

    /** Type id 0. */
    record Void() implements BtfType {
        @Override public int id() { return 0; }
        @Override public String name() { return "void"; }
        @Override public BtfKind kind() { return BtfKind.VOID; }
    }

    /**
     * {@code BTF_KIND_INT}.
     *
     * @param encoding  {@code BTF_INT_SIGNED} (1), {@code BTF_INT_CHAR} (2), {@code BTF_INT_BOOL} (4)
     * @param bitOffset {@code BTF_INT_OFFSET}
     * @param bits      {@code BTF_INT_BITS}
     */
    record Int(int id, String name, int size, int encoding, int bitOffset, int bits) implements BtfType {
        @Override public BtfKind kind() { return BtfKind.INT; }

        public boolean signed() {
            return (encoding & 1) != 0;
        }
    }

    /** {@code BTF_KIND_PTR}. */
    record Ptr(int id, int type) implements BtfType {
        @Override public String name() { return ""; }
        @Override public BtfKind kind() { return BtfKind.PTR; }
    }

    /** {@code BTF_KIND_ARRAY}. */
    record Array(int id, int elementType, int indexType, long length) implements BtfType {
        @Override public String name() { return ""; }
        @Override public BtfKind kind() { return BtfKind.ARRAY; }
    }

    /** {@code BTF_KIND_STRUCT} or {@code BTF_KIND_UNION}. */
    record Composite(int id, String name, boolean union, long size, List<Member> members) implements BtfType {
        @Override public BtfKind kind() { return union ? BtfKind.UNION : BtfKind.STRUCT; }
    }

    /**
     * A member of a struct or union ({@code struct btf_member}).
     *
     * @param bitOffset    the offset in bits from the start of the outermost struct the lookup started at
     * @param bitfieldSize the width of a bitfield in bits, 0 for a plain member
     */
    record Member(String name, int type, long bitOffset, int bitfieldSize) {
        /** The byte offset holding the member's first bit. */
        public long byteOffset() {
            return bitOffset / 8;
        }

        public boolean isBitfield() {
            return bitfieldSize != 0;
        }
    }

    /** {@code BTF_KIND_ENUM} ({@code wide == false}) or {@code BTF_KIND_ENUM64}. */
    record Enum(int id, String name, long size, boolean signed, boolean wide, List<Enumerator> values) implements BtfType {
        @Override public BtfKind kind() { return wide ? BtfKind.ENUM64 : BtfKind.ENUM; }
    }

    /** One enumerator of an enum. */
    record Enumerator(String name, long value) {}

    /** {@code BTF_KIND_FWD}: a declared but undefined struct or union. */
    record Fwd(int id, String name, boolean union) implements BtfType {
        @Override public BtfKind kind() { return BtfKind.FWD; }
    }

    /** {@code TYPEDEF}, {@code VOLATILE}, {@code CONST}, {@code RESTRICT} or {@code TYPE_TAG}: a name or qualifier over {@code type}. */
    record Modifier(int id, BtfKind kind, String name, int type) implements BtfType {}

    /** {@code BTF_KIND_FUNC}: linkage 0 static, 1 global, 2 extern; {@code proto} is its FUNC_PROTO. */
    record Func(int id, String name, int linkage, int proto) implements BtfType {
        @Override public BtfKind kind() { return BtfKind.FUNC; }
    }

    /** {@code BTF_KIND_FUNC_PROTO}; a last parameter of type 0 means varargs. */
    record FuncProto(int id, int returnType, List<Param> params) implements BtfType {
        @Override public String name() { return ""; }
        @Override public BtfKind kind() { return BtfKind.FUNC_PROTO; }
    }

    /** A parameter of a function prototype ({@code struct btf_param}). */
    record Param(String name, int type) {}

    /** {@code BTF_KIND_VAR}. */
    record Var(int id, String name, int type, int linkage) implements BtfType {
        @Override public BtfKind kind() { return BtfKind.VAR; }
    }

    /** {@code BTF_KIND_DATASEC}. */
    record Datasec(int id, String name, long size, List<SecInfo> vars) implements BtfType {
        @Override public BtfKind kind() { return BtfKind.DATASEC; }
    }

    /** A variable in a data section ({@code struct btf_var_secinfo}). */
    record SecInfo(int type, long offset, long size) {}

    /** {@code BTF_KIND_FLOAT}. */
    record Float(int id, String name, long size) implements BtfType {
        @Override public BtfKind kind() { return BtfKind.FLOAT; }
    }

    /** {@code BTF_KIND_DECL_TAG}: component −1 tags {@code type} itself, else its member or parameter with that index. */
    record DeclTag(int id, String name, int type, int componentIdx) implements BtfType {
        @Override public BtfKind kind() { return BtfKind.DECL_TAG; }
    }
}
