package dev.loupe.bpf.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds raw BTF blobs that no compiler would emit, for parser tests. */
final class BtfBlob {
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new HashMap<>();
    private final List<int[]> types = new ArrayList<>();

    BtfBlob() {
        strings.write(0);
        stringOffsets.put("", 0);
    }

    /** The offset of a name in the string section, adding it if new. */
    int str(String s) {
        return stringOffsets.computeIfAbsent(s, k -> {
            int off = strings.size();
            strings.writeBytes(k.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return off;
        });
    }

    /** Adds a type: {@code struct btf_type} followed by {@code trailer} words; returns its id. */
    int add(String name, BtfKind kind, int vlen, boolean kindFlag, int sizeOrType, int... trailer) {
        int[] words = new int[3 + trailer.length];
        words[0] = str(name);
        words[1] = (kindFlag ? 1 << 31 : 0) | kind.value() << 24 | vlen;
        words[2] = sizeOrType;
        System.arraycopy(trailer, 0, words, 3, trailer.length);
        types.add(words);
        return types.size();
    }

    byte[] bytes(ByteOrder order) {
        int typeLen = types.stream().mapToInt(w -> w.length * 4).sum();
        byte[] strs = strings.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(24 + typeLen + strs.length).order(order);
        out.putShort((short) 0xeb9f).put((byte) 1).put((byte) 0).putInt(24);
        out.putInt(0).putInt(typeLen).putInt(typeLen).putInt(strs.length);
        for (int[] words : types) {
            for (int w : words) {
                out.putInt(w);
            }
        }
        out.put(strs);
        return out.array();
    }

    byte[] bytes() {
        return bytes(ByteOrder.LITTLE_ENDIAN);
    }
}
