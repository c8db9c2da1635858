package dev.loupe.dwarf.info;

import dev.loupe.dwarf.internal.ByteView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One abbreviation declaration of {@code .debug_abbrev} (DWARF 5 §7.5.3): the tag, whether
 * DIEs using it have children, and the (attribute, form) pairs, with the values of
 * {@code DW_FORM_implicit_const} attributes.
 */
record Abbrev(int code, int tag, boolean hasChildren, int[] attributes, int[] forms, long[] implicitConstants) {
    /** More attributes than any producer writes: a corrupt table stops here instead of looping. */
    private static final int MAX_ATTRIBUTES = 4096;
    private static final int MAX_ABBREVS = 1 << 20;

    /** Reads the table at {@code offset}, up to its terminating 0 code. */
    static Map<Integer, Abbrev> readTable(ByteView v, long offset) {
        Map<Integer, Abbrev> table = new HashMap<>();
        long[] next = new long[1];
        long p = offset;
        while (true) {
            long start = p;
            long code = v.uvarint(p, next);
            p = next[0];
            if (code == 0) {
                return table;
            }
            if (code > Integer.MAX_VALUE || table.size() >= MAX_ABBREVS) {
                throw v.error(start, "abbreviation code " + code + " is implausible");
            }
            int tag = (int) v.uvarint(p, next);
            p = next[0];
            boolean children = v.u8(p++) != 0;
            List<long[]> specs = new ArrayList<>();
            while (true) {
                long at = v.uvarint(p, next);
                p = next[0];
                long form = v.uvarint(p, next);
                p = next[0];
                long implicit = 0;
                if (form == DwForm.IMPLICIT_CONST) {
                    implicit = v.svarint(p, next);
                    p = next[0];
                }
                if (at == 0 && form == 0) {
                    break;
                }
                if (specs.size() >= MAX_ATTRIBUTES || at > Integer.MAX_VALUE || form > Integer.MAX_VALUE) {
                    throw v.error(start, "abbreviation " + code + " is malformed");
                }
                specs.add(new long[] {at, form, implicit});
            }
            int n = specs.size();
            int[] attrs = new int[n];
            int[] forms = new int[n];
            long[] consts = new long[n];
            for (int i = 0; i < n; i++) {
                attrs[i] = (int) specs.get(i)[0];
                forms[i] = (int) specs.get(i)[1];
                consts[i] = specs.get(i)[2];
            }
            table.put((int) code, new Abbrev((int) code, tag, children, attrs, forms, consts));
        }
    }
}
