package dev.loupe.dwarf.godwarf;

import dev.loupe.dwarf.GoBinary;
import dev.loupe.dwarf.internal.ByteView;
import dev.loupe.dwarf.runtime.RuntimeLayout;
import dev.loupe.testkit.GoBuild;
import dev.loupe.testkit.GoTargets;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code DW_AT_go_runtime_type} (an offset into the types section) names the type whose
 * {@code runtime._type} is at an address:
 * checked against the name the Go runtime itself keeps for that {@code _type} (its
 * {@code Str} name offset into the types section starting at the {@code type:*} symbol,
 * {@code internal/abi/type.go}), for every type of package main.
 */
class RuntimeTypeTest {
    /** {@code abi.TFlagExtraStar}: the stored name has a '*' the type's name does not. */
    private static final int TFLAG_EXTRA_STAR = 1 << 1;

    @Test
    void runtimeTypeAddressesNameTheirTypes() {
        try (GoBinary bin = GoBinary.open(GoTargets.build(GoBuild.target("values")))) {
            Types types = bin.dwarf().types();
            RuntimeLayout.Type layout = bin.runtimeLayout().type();
            long typesStart = bin.elf().symbol("type:*").orElseThrow().value();
            List<String> mismatches = new ArrayList<>();
            int checked = 0;
            for (Map.Entry<Long, Long> e : bin.dwarf().info().index().runtimeTypes().entrySet()) {
                GoType t = types.get(e.getValue());
                if (!t.name().startsWith("main.")) {
                    continue;
                }
                long address = typesStart + e.getKey();
                ByteView type = bin.elf().memory(address);
                int nameOff = type.i32(layout.str());
                boolean extraStar = (type.u8(layout.hash() + 4) & TFLAG_EXTRA_STAR) != 0;
                ByteView name = bin.elf().memory(typesStart + nameOff);
                long[] next = new long[1];
                long len = name.uvarint(1, next);
                String runtimeName = name.string(next[0], len);
                if (extraStar) {
                    runtimeName = runtimeName.substring(1);
                }
                checked++;
                // DWARF names generic instantiations with full package paths, the runtime like reflect: compare base names.
                if (!runtimeName.equals(t.name()) && !(t.name().contains("[") && runtimeName.startsWith(t.name().substring(0,
                        t.name().indexOf('[') + 1)))) {
                    mismatches.add("0x" + Long.toHexString(address) + ": DWARF " + t.name() + ", runtime " + runtimeName);
                }
                assertEquals(t, bin.dwarf().typeAtAddress(address).orElseThrow());
            }
            assertEquals(List.of(), mismatches);
            assertTrue(checked >= 10, checked + " types checked");
        }
    }
}
