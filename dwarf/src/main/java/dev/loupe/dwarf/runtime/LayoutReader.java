package dev.loupe.dwarf.runtime;

import dev.loupe.dwarf.BinaryFormatException;
import dev.loupe.dwarf.godwarf.Field;
import dev.loupe.dwarf.godwarf.GoDwarf;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.dwarf.godwarf.Types;
import dev.loupe.dwarf.runtime.RuntimeLayout.MapLayout;

import java.util.Optional;

import static dev.loupe.dwarf.runtime.RuntimeLayout.ABSENT;

/** Reads a {@link RuntimeLayout} from DWARF: each offset is a field path in a named struct. */
final class LayoutReader {
    private final Types types;

    private LayoutReader(GoDwarf dwarf) {
        this.types = dwarf.types();
    }

    /**
     * @throws BinaryFormatException if the DWARF has no {@code runtime.g}
     */
    static RuntimeLayout read(GoDwarf dwarf, String goVersion) {
        LayoutReader r = new LayoutReader(dwarf);
        if (r.struct("runtime.g").isEmpty()) {
            throw dwarf.info().error(-1, "no runtime.g struct in the DWARF: not a Go program?");
        }
        return new RuntimeLayout(goVersion, RuntimeLayout.Source.DWARF, r.g(), r.m(), r.gobuf(), r.iface(), r.eface(), r.itab(),
                r.type(), r.string(), r.slice(), r.map(), r.hchan(), r.time(),
                new RuntimeLayout.Globals(dwarf.globalAddress("runtime.allgs"), dwarf.globalAddress("runtime.allglen")));
    }

    private RuntimeLayout.G g() {
        String g = "runtime.g";
        return new RuntimeLayout.G(size(g), off(g, "stack.lo"), off(g, "stack.hi"), off(g, "sched.sp"), off(g, "sched.pc"),
                off(g, "sched.bp"), off(g, "syscallsp"), off(g, "syscallpc"), off(g, "syscallbp"), off(g, "atomicstatus"),
                off(g, "goid"), off(g, "waitreason"), off(g, "waitsince"), off(g, "gopc"), off(g, "startpc"), off(g, "parentGoid"),
                off(g, "m"), off(g, "labels"), off(g, "lockedm"));
    }

    private RuntimeLayout.M m() {
        return new RuntimeLayout.M(size("runtime.m"), off("runtime.m", "procid"), off("runtime.m", "curg"));
    }

    private RuntimeLayout.Gobuf gobuf() {
        String b = "runtime.gobuf";
        return new RuntimeLayout.Gobuf(size(b), off(b, "sp"), off(b, "pc"), off(b, "bp"), off(b, "g"));
    }

    private RuntimeLayout.Iface iface() {
        return new RuntimeLayout.Iface(size("runtime.iface"), off("runtime.iface", "tab"), off("runtime.iface", "data"));
    }

    private RuntimeLayout.Eface eface() {
        return new RuntimeLayout.Eface(size("runtime.eface"), off("runtime.eface", "_type"), off("runtime.eface", "data"));
    }

    private RuntimeLayout.Itab itab() {
        String t = struct("internal/abi.ITab").isPresent() ? "internal/abi.ITab" : "runtime.itab";
        return new RuntimeLayout.Itab(size(t), off(t, "Inter", "inter"), off(t, "Type", "_type"), off(t, "Hash", "hash"),
                off(t, "Fun", "fun"));
    }

    private RuntimeLayout.Type type() {
        String t = struct("internal/abi.Type").isPresent() ? "internal/abi.Type" : "runtime._type";
        return new RuntimeLayout.Type(size(t), off(t, "Size_", "size"), off(t, "Hash", "hash"), off(t, "Kind_", "kind"),
                off(t, "Str", "str"));
    }

    private RuntimeLayout.StringHeader string() {
        return new RuntimeLayout.StringHeader(size("string"), off("string", "str"), off("string", "len"));
    }

    private RuntimeLayout.SliceHeader slice() {
        String s = "[]uint8";
        return new RuntimeLayout.SliceHeader(size(s), off(s, "array"), off(s, "len"), off(s, "cap"));
    }

    private MapLayout map() {
        String m = "internal/runtime/maps.Map";
        if (struct(m).isPresent()) {
            String t = "internal/runtime/maps.table";
            String gr = "internal/runtime/maps.groupsReference";
            return new RuntimeLayout.SwissMap(size(m), off(m, "used"), off(m, "seed"), off(m, "dirPtr"), off(m, "dirLen"),
                    off(m, "globalDepth"), off(m, "globalShift"), size(t), off(t, "used"), off(t, "capacity"), off(t, "growthLeft"),
                    off(t, "localDepth"), off(t, "index"), off(t, "groups"), off(gr, "data"), off(gr, "lengthMask"));
        }
        String h = "runtime.hmap";
        return new RuntimeLayout.Hmap(size(h), off(h, "count"), off(h, "flags"), off(h, "B"), off(h, "noverflow"), off(h, "hash0"),
                off(h, "buckets"), off(h, "oldbuckets"), off(h, "nevacuate"), off(h, "extra"));
    }

    private RuntimeLayout.Hchan hchan() {
        String c = "runtime.hchan";
        return new RuntimeLayout.Hchan(size(c), off(c, "qcount"), off(c, "dataqsiz"), off(c, "buf"), off(c, "elemsize"),
                off(c, "closed"), off(c, "elemtype"), off(c, "sendx"), off(c, "recvx"), off(c, "recvq"), off(c, "sendq"),
                off(c, "lock"));
    }

    private RuntimeLayout.Time time() {
        String t = "time.Time";
        return new RuntimeLayout.Time(size(t), off(t, "wall"), off(t, "ext"), off(t, "loc"));
    }

    private Optional<GoType.Struct> struct(String name) {
        return types.byName(name).map(types::underlying).filter(GoType.Struct.class::isInstance).map(GoType.Struct.class::cast)
                .or(() -> types.byName(name).map(types::underlying)
                        .map(t -> switch (t) {
                            case GoType.StringType s -> new GoType.Struct(s.offset(), s.name(), s.size(), s.fields());
                            case GoType.Slice s -> new GoType.Struct(s.offset(), s.name(), s.size(), s.fields());
                            default -> null;
                        }));
    }

    private long size(String type) {
        return struct(type).map(GoType::size).orElse(ABSENT);
    }

    /**
     * The offset of a dotted field path ("sched.sp") in {@code type}; the first of several
     * alternative paths (spellings of different Go versions) that exists; ABSENT if none does.
     */
    private long off(String type, String... paths) {
        Optional<GoType.Struct> root = struct(type);
        if (root.isEmpty()) {
            return ABSENT;
        }
        for (String path : paths) {
            long offset = 0;
            GoType.Struct cur = root.get();
            boolean found = true;
            String[] parts = path.split("\\.");
            for (int i = 0; i < parts.length && found; i++) {
                Optional<Field> f = cur.field(parts[i]);
                if (f.isEmpty()) {
                    found = false;
                    break;
                }
                offset += f.get().offset();
                if (i < parts.length - 1) {
                    GoType next = types.underlying(types.get(f.get().type()));
                    if (next instanceof GoType.Struct s) {
                        cur = s;
                    } else {
                        found = false;
                    }
                }
            }
            if (found) {
                return offset;
            }
        }
        return ABSENT;
    }
}
