package dev.loupe.bpf.btf;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parser on synthetic blobs: every kind, bitfields, both byte orders, and hostile input. */
class BtfTest {

    /**
     * <pre>
     * typedef unsigned int u32;                               // ids 1, 2
     * struct task { int pid; union { u32 tgid; long x; };     // 3 (union is 4), 5 = long
     *               unsigned flag:1, mode:3; struct inner in; }
     * struct inner { u32 a; u32 b; }                          // 6
     * enum state : signed { RUNNING = -1, DEAD = 2 }          // 7
     * ...one of each remaining kind
     * </pre>
     */
    static BtfBlob sample() {
        BtfBlob b = new BtfBlob();
        int uint = b.add("unsigned int", BtfKind.INT, 0, false, 4, 32);                      // 1
        int u32 = b.add("u32", BtfKind.TYPEDEF, 0, false, uint);                               // 2
        int task = 3;
        int union = 4;
        int lng = 5;
        int inner = 6;
        b.add("task", BtfKind.STRUCT, 5, true, 24,                                            // 3
                b.str("pid"), uint, 0,
                b.str(""), union, 64,
                b.str("flag"), uint, 1 << 24 | 128,
                b.str("mode"), uint, 3 << 24 | 129,
                b.str("in"), inner, 160);
        b.add("", BtfKind.UNION, 2, false, 8, b.str("tgid"), u32, 0, b.str("x"), lng, 0);    // 4
        b.add("long", BtfKind.INT, 0, false, 8, 1 << 24 | 64);                                // 5
        b.add("inner", BtfKind.STRUCT, 2, false, 8, b.str("a"), u32, 0, b.str("b"), u32, 32); // 6
        b.add("state", BtfKind.ENUM, 2, true, 4, b.str("RUNNING"), -1, b.str("DEAD"), 2);     // 7
        b.add("big", BtfKind.ENUM64, 1, false, 8, b.str("HUGE"), 0x89abcdef, 0x01234567);     // 8
        b.add("", BtfKind.PTR, 0, false, task);                                               // 9
        b.add("", BtfKind.ARRAY, 0, false, 0, uint, uint, 16);                                // 10
        b.add("", BtfKind.FUNC_PROTO, 2, false, uint, b.str("t"), 9, b.str(""), 0);           // 11
        b.add("work", BtfKind.FUNC, 1, false, 11);                                            // 12
        b.add("counter", BtfKind.VAR, 0, false, uint, 1);                                     // 13
        b.add(".data", BtfKind.DATASEC, 1, false, 4, 13, 0, 4);                               // 14
        b.add("double", BtfKind.FLOAT, 0, false, 8);                                          // 15
        b.add("tag", BtfKind.DECL_TAG, 0, false, task, -1);                                   // 16
        b.add("user", BtfKind.TYPE_TAG, 0, false, task);                                      // 17
        b.add("later", BtfKind.FWD, 0, true, 0);                                              // 18
        b.add("", BtfKind.CONST, 0, false, 17);                                               // 19
        return b;
    }

    @Test
    void decodesEveryKind() {
        Btf btf = Btf.parse(sample().bytes());
        assertEquals(19, btf.typeCount());
        assertEquals(new BtfType.Int(1, "unsigned int", 4, 0, 0, 32), btf.type(1));
        assertEquals(new BtfType.Modifier(2, BtfKind.TYPEDEF, "u32", 1), btf.type(2));
        BtfType.Composite task = assertInstanceOf(BtfType.Composite.class, btf.type(3));
        assertEquals(List.of("pid", "", "flag", "mode", "in"), task.members().stream().map(BtfType.Member::name).toList());
        assertTrue(btf.type(5) instanceof BtfType.Int i && i.signed());
        assertEquals(new BtfType.Enum(7, "state", 4, true, false,
                List.of(new BtfType.Enumerator("RUNNING", -1), new BtfType.Enumerator("DEAD", 2))), btf.type(7));
        assertEquals(0x0123_4567_89ab_cdefL, ((BtfType.Enum) btf.type(8)).values().getFirst().value());
        assertEquals(BtfKind.ENUM64, btf.kind(8));
        assertEquals(new BtfType.Ptr(9, 3), btf.type(9));
        assertEquals(new BtfType.Array(10, 1, 1, 16), btf.type(10));
        assertEquals(new BtfType.FuncProto(11, 1, List.of(new BtfType.Param("t", 9), new BtfType.Param("", 0))), btf.type(11));
        assertEquals(new BtfType.Func(12, "work", 1, 11), btf.type(12));
        assertEquals(new BtfType.Var(13, "counter", 1, 1), btf.type(13));
        assertEquals(new BtfType.Datasec(14, ".data", 4, List.of(new BtfType.SecInfo(13, 0, 4))), btf.type(14));
        assertEquals(new BtfType.Float(15, "double", 8), btf.type(15));
        assertEquals(new BtfType.DeclTag(16, "tag", 3, -1), btf.type(16));
        assertEquals(new BtfType.Modifier(17, BtfKind.TYPE_TAG, "user", 3), btf.type(17));
        assertEquals(new BtfType.Fwd(18, "later", true), btf.type(18));
        assertEquals(new BtfType.Void(), btf.type(0));
        assertEquals(3, btf.skipModifiers(19));
    }

    @Test
    void findsTypesByNameAndKind() {
        Btf btf = Btf.parse(sample().bytes());
        assertEquals(12, btf.findTypeId("work", BtfKind.FUNC).orElseThrow());
        assertTrue(btf.findTypeId("work", BtfKind.STRUCT).isEmpty());
        assertTrue(btf.findTypeId("wor", BtfKind.FUNC).isEmpty());
        assertTrue(btf.findTypeId("workers", BtfKind.FUNC).isEmpty());
    }

    @Test
    void findsMembersThroughAnonymousUnionsNestedStructsAndBitfields() {
        Btf btf = Btf.parse(sample().bytes());
        assertEquals(new BtfType.Member("pid", 1, 0, 0), btf.findMember("task", "pid").orElseThrow());
        assertEquals(new BtfType.Member("tgid", 2, 64, 0), btf.findMember("task", "tgid").orElseThrow());
        assertEquals(new BtfType.Member("x", 5, 64, 0), btf.findMember("task", "x").orElseThrow());
        assertEquals(new BtfType.Member("flag", 1, 128, 1), btf.findMember("task", "flag").orElseThrow());
        assertEquals(new BtfType.Member("mode", 1, 129, 3), btf.findMember("task", "mode").orElseThrow());
        assertEquals(new BtfType.Member("b", 2, 192, 0), btf.findMember("task", "in.b").orElseThrow());
        assertEquals(24, btf.findMember("task", "in.b").orElseThrow().byteOffset());
        assertTrue(btf.findMember("task", "in.c").isEmpty());
        assertTrue(btf.findMember("task", "pid.x").isEmpty());
        assertTrue(btf.findMember("task", "in..b").isEmpty());
        assertTrue(btf.findMember("nosuch", "pid").isEmpty());
    }

    @Test
    void readsBigEndianBlobs() {
        Btf btf = Btf.parse(sample().bytes(ByteOrder.BIG_ENDIAN));
        assertEquals(new BtfType.Member("mode", 1, 129, 3), btf.findMember("task", "mode").orElseThrow());
        assertEquals(-1, ((BtfType.Enum) btf.type(7)).values().getFirst().value());
    }

    @Test
    void everyTruncationIsAnErrorNamingAnOffset() {
        byte[] full = sample().bytes();
        for (int n = 0; n < full.length; n++) {
            byte[] cut = Arrays.copyOf(full, n);
            BtfException e = assertThrows(BtfException.class, () -> Btf.parse(cut), "prefix of " + n + " bytes");
            assertTrue(e.getMessage().startsWith("BTF at offset "), e.getMessage());
        }
    }

    @Test
    void rejectsHugeLengthsWithoutAllocating() {
        int n = sample().bytes().length;
        assertEquals("BTF at offset 4: header length 4294967295 outside [24, " + n + "]",
                message(patch(sample().bytes(), 4, -1)));
        assertEquals("BTF at offset 8: type section [24, 4294967319) runs past the end of the " + n + "-byte blob",
                message(patch(sample().bytes(), 12, -1)));
        assertEquals("BTF at offset 16: string section [4294967295, 4294967295) runs past the end of the " + n + "-byte blob",
                message(patch(patch(sample().bytes(), 16, -1 - 24), 20, 0)));
        BtfBlob b = new BtfBlob();
        b.add("s", BtfKind.STRUCT, 0xffff, false, 8);
        assertEquals("BTF at offset 24: type id 1 (STRUCT, vlen 65535) runs 786420 bytes past the end of the type section",
                message(b.bytes()));
    }

    @Test
    void rejectsBadMagicVersionKindsAndNames() {
        assertEquals("BTF at offset 0: bad magic 0x457f, want 0xeb9f", message(patch(sample().bytes(), 0, 0x464c457f)));
        byte[] v2 = sample().bytes();
        v2[2] = 2;
        assertEquals("BTF at offset 2: unsupported version 2", message(v2));
        BtfBlob kind = new BtfBlob();
        kind.add("x", BtfKind.INT, 0, false, 4, 32);
        byte[] k = patch(kind.bytes(), 24 + 4, 25 << 24);
        assertEquals("BTF at offset 24: type id 1 has unknown kind 25", message(k));
        byte[] name = patch(sample().bytes(), 24, 100_000);
        assertTrue(message(name).startsWith("BTF at offset 24: name offset 100000 outside the "), message(name));
        byte[] unterminated = sample().bytes();
        unterminated[unterminated.length - 1] = 'x';
        assertTrue(message(unterminated).endsWith("string section does not end with NUL"));
    }

    @Test
    void cyclesAndDanglingIdsAreErrorsNotHangs() {
        BtfBlob b = new BtfBlob();
        b.add("a", BtfKind.TYPEDEF, 0, false, 2);
        b.add("b", BtfKind.TYPEDEF, 0, false, 1);
        b.add("self", BtfKind.STRUCT, 1, false, 4, b.str(""), 3, 0);
        b.add("dangling", BtfKind.STRUCT, 1, false, 4, b.str("p"), 0x7fff_0000, 0);
        b.add("holder", BtfKind.STRUCT, 1, false, 4, b.str("q"), 4, 0);
        Btf btf = Btf.parse(b.bytes());
        assertEquals("type id 1: typedef/qualifier chain longer than 64 (a cycle?)",
                assertThrows(BtfException.class, () -> btf.skipModifiers(1)).getMessage());
        assertEquals("type id 3: anonymous members nested deeper than 64",
                assertThrows(BtfException.class, () -> btf.findMember("self", "x")).getMessage());
        assertEquals("no type id 2147418112: the blob has 5 types",
                assertThrows(BtfException.class, () -> btf.findMember("holder", "q.p.z")).getMessage());
        assertThrows(BtfException.class, () -> btf.type(-1));
    }

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() {
        byte[] clean = sample().bytes();
        Random random = new Random(42);
        for (int round = 0; round < 5_000; round++) {
            byte[] bytes = clean.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            try {
                Btf btf = Btf.parse(bytes);
                for (int id = 0; id <= btf.typeCount(); id++) {
                    btf.type(id);
                    btf.skipModifiers(id);
                }
                btf.findMember("task", "in.b");
                btf.findTypeId("work", BtfKind.FUNC);
            } catch (BtfException expected) {
                // Malformed input must surface as exactly this exception.
            }
        }
    }

    private static String message(byte[] bytes) {
        return assertThrows(BtfException.class, () -> Btf.parse(bytes)).getMessage();
    }

    private static byte[] patch(byte[] bytes, int at, int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return bytes;
    }
}
