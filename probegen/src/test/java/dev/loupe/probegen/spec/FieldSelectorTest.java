package dev.loupe.probegen.spec;

import dev.loupe.dwarf.godwarf.Field;
import dev.loupe.dwarf.godwarf.GoType;
import dev.loupe.probegen.spec.FieldSelector.Selection;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Go's selector rules (https://go.dev/ref/spec#Selectors) on struct types no target program has: fields promoted
 * from embedded structs, the shallowest winning, ties being ambiguous. The real binary's promotions are in
 * {@link SpecResolverTest}.
 */
class FieldSelectorTest {
    private final Map<Long, GoType> types = new HashMap<>();
    private final GoType intType = add(new GoType.Basic(1, "int", 8, 5, 2));
    private final FieldSelector selector = new FieldSelector(r -> types.get(r.offset()), this::underlying);

    private <T extends GoType> T add(T t) {
        types.put(t.offset(), t);
        return t;
    }

    private GoType underlying(GoType t) {
        GoType cur = t;
        while (cur instanceof GoType.Typedef td) {
            cur = types.get(td.target().offset());
        }
        return cur;
    }

    private GoType.Struct struct(long offset, String name, Field... fields) {
        return add(new GoType.Struct(offset, name, 64, List.of(fields)));
    }

    private static Field field(String name, GoType type, long offset) {
        return new Field(name, type.ref(), offset, false);
    }

    private static Field embedded(GoType type, long offset) {
        // Go names an embedded field after its type, without the package or the star.
        return new Field(type.name().substring(type.name().lastIndexOf('.') + 1), type.ref(), offset, true);
    }

    private GoType.Pointer pointer(long offset, GoType to) {
        return add(new GoType.Pointer(offset, "*" + to.name(), 8, Optional.of(to.ref())));
    }

    @Test
    void aDirectFieldIsOneStep() {
        GoType.Struct s = struct(10, "main.S", field("X", intType, 0), field("Y", intType, 8));
        assertEquals(new Selection.Found(List.of(new Step.FieldAt("Y", 8, intType)), intType), selector.select(s, "Y"));
    }

    @Test
    void promotedFieldsGoThroughTheEmbeddedStruct() {
        GoType.Struct inner = struct(20, "main.Inner", field("Z", intType, 16));
        GoType.Struct s = struct(21, "main.Outer", field("X", intType, 0), embedded(inner, 8));
        assertEquals(new Selection.Found(List.of(new Step.FieldAt("Inner", 8, inner), new Step.FieldAt("Z", 16, intType)), intType),
                selector.select(s, "Z"));
    }

    @Test
    void anEmbeddedPointerIsFollowed() {
        GoType.Struct file = struct(30, "os.file", field("name", intType, 56));
        GoType.Pointer ptr = pointer(31, file);
        GoType.Struct s = struct(32, "os.File", embedded(ptr, 0));
        assertEquals(new Selection.Found(List.of(new Step.FieldAt("file", 0, ptr), new Step.Deref(file),
                new Step.FieldAt("name", 56, intType)), intType), selector.select(s, "name"));
    }

    @Test
    void anEmbeddedNamedTypeIsSearchedThroughItsTypedef() {
        GoType.Struct shape = struct(40, "struct { V int }", field("V", intType, 0));
        GoType.Typedef named = add(new GoType.Typedef(41, "main.Named", 8, shape.ref(), OptionalInt.empty()));
        GoType.Struct s = struct(42, "main.S", embedded(named, 0));
        assertEquals(new Selection.Found(List.of(new Step.FieldAt("Named", 0, named), new Step.FieldAt("V", 0, intType)), intType),
                selector.select(s, "V"));
    }

    @Test
    void theShallowestFieldWins() {
        GoType.Struct deep = struct(50, "main.Deep", field("Name", intType, 0));
        GoType.Struct mid = struct(51, "main.Mid", embedded(deep, 0));
        GoType.Struct other = struct(52, "main.Other", field("Name", intType, 8));
        GoType.Struct s = struct(53, "main.S", embedded(mid, 0), embedded(other, 8));
        // Other.Name is at depth 1, Mid.Deep.Name at depth 2.
        assertEquals(new Selection.Found(List.of(new Step.FieldAt("Other", 8, other), new Step.FieldAt("Name", 8, intType)), intType),
                selector.select(s, "Name"));
        GoType.Struct own = struct(54, "main.Own", field("Name", intType, 0), embedded(other, 8));
        assertEquals(new Selection.Found(List.of(new Step.FieldAt("Name", 0, intType)), intType), selector.select(own, "Name"));
    }

    @Test
    void twoFieldsAtTheSameDepthAreAmbiguous() {
        GoType.Struct a = struct(60, "main.A", field("Name", intType, 0));
        GoType.Struct b = struct(61, "main.B", field("Name", intType, 0));
        GoType.Struct s = struct(62, "main.S", embedded(a, 0), embedded(b, 8));
        assertEquals(new Selection.Ambiguous(List.of("A", "Name"), List.of("B", "Name"), 1), selector.select(s, "Name"));
    }

    @Test
    void theSameStructReachedTwiceAtOneDepthIsAmbiguous() {
        GoType.Struct c = struct(70, "main.C", field("X", intType, 0));
        GoType.Struct a = struct(71, "main.A", embedded(c, 0));
        GoType.Struct b = struct(72, "main.B", embedded(c, 0));
        GoType.Struct s = struct(73, "main.S", embedded(a, 0), embedded(b, 8));
        assertEquals(new Selection.Ambiguous(List.of("A", "C", "X"), List.of("B", "C", "X"), 2), selector.select(s, "X"));
        // C itself, at depth 1 through both, is ambiguous too.
        assertEquals(new Selection.Ambiguous(List.of("A", "C"), List.of("B", "C"), 1), selector.select(s, "C"));
    }

    @Test
    void aMissingFieldListsTheFieldsThereAreAndCyclesEnd() {
        GoType.Struct node = struct(80, "main.Node", field("Value", intType, 0));
        GoType.Pointer self = pointer(81, node);
        // type Node struct { Value int; *Node }: the embedding is a cycle.
        GoType.Struct cyclic = add(new GoType.Struct(80, "main.Node", 16, List.of(field("Value", intType, 0), embedded(self, 8))));
        assertEquals(new Selection.NotFound(Set.of("Value", "Node")), selector.select(cyclic, "Vale"));
    }

    @Test
    void blankFieldsAreNeverSelected() {
        GoType.Struct s = struct(90, "main.S", field("_", intType, 0), field("X", intType, 8));
        assertEquals(new Selection.NotFound(Set.of("X")), selector.select(s, "_"));
    }
}
