package dev.loupe.dwarf.runtime;

import java.util.OptionalLong;

/**
 * Where the Go runtime keeps what a snapshot reads: byte offsets of struct fields and sizes of
 * structs, from the binary's own DWARF or, for a stripped binary, from the table for its Go
 * version (see {@link LayoutTableGenerator}). Field names follow the runtime's sources
 * ({@code runtime/runtime2.go}, {@code runtime/chan.go}, {@code internal/abi/type.go},
 * {@code internal/runtime/maps}, {@code time/time.go}); a field the binary's Go version does
 * not have is {@link #ABSENT}.
 *
 * @param goVersion the binary's Go version, e.g. "go1.26.8"
 * @param source    where the offsets come from
 * @param g         {@code runtime.g}: a goroutine
 * @param m         {@code runtime.m}: an OS thread
 * @param gobuf     {@code runtime.gobuf}: saved registers of a parked goroutine
 * @param iface     {@code runtime.iface}: a non-empty interface value
 * @param eface     {@code runtime.eface}: an empty interface value
 * @param itab      {@code internal/abi.ITab} (Go 1.22+) or {@code runtime.itab}
 * @param type      {@code internal/abi.Type} (Go 1.21+) or {@code runtime._type}
 * @param string    the string header
 * @param slice     the slice header
 * @param map       the map implementation in use and its offsets
 * @param hchan     {@code runtime.hchan}: a channel
 * @param time      {@code time.Time}
 * @param globals   addresses of runtime variables; empty in a stripped binary
 */
public record RuntimeLayout(String goVersion, Source source, G g, M m, Gobuf gobuf, Iface iface, Eface eface, Itab itab, Type type,
                            StringHeader string, SliceHeader slice, MapLayout map, Hchan hchan, Time time, Globals globals) {
    /** The value of an offset or size the binary's Go version does not have. */
    public static final long ABSENT = -1;

    /** This layout with the addresses of another binary's globals (a table's layout is the same for every binary). */
    public RuntimeLayout withGlobals(Globals addresses) {
        return new RuntimeLayout(goVersion, source, g, m, gobuf, iface, eface, itab, type, string, slice, map, hchan, time, addresses);
    }

    /** Where a layout comes from. */
    public enum Source {
        /** The binary's own DWARF. */
        DWARF,
        /** The table for the binary's Go minor version, shipped with Loupe (a stripped binary). */
        TABLE
    }

    /** {@code runtime.g}; {@code schedSp} and the like are offsets in g (sched's offset plus gobuf's field offset). */
    public record G(long size, long stackLo, long stackHi, long schedSp, long schedPc, long schedBp, long syscallsp,
                    long syscallpc, long syscallbp, long atomicstatus, long goid, long waitreason, long waitsince, long gopc,
                    long startpc, long parentGoid, long m, long labels, long lockedm) {}

    /** {@code runtime.m}. */
    public record M(long size, long procid, long curg) {}

    /** {@code runtime.gobuf}. */
    public record Gobuf(long size, long sp, long pc, long bp, long g) {}

    /** {@code runtime.iface}. */
    public record Iface(long size, long tab, long data) {}

    /** {@code runtime.eface}. */
    public record Eface(long size, long type, long data) {}

    /** {@code internal/abi.ITab} ({@code inter}, {@code _type}, {@code hash}, {@code fun} before Go 1.22). */
    public record Itab(long size, long inter, long type, long hash, long fun) {}

    /** {@code internal/abi.Type}: its size, hash, kind and name offset fields. */
    public record Type(long size, long sizeField, long hash, long kind, long str) {}

    /** The string header ({@code str}, {@code len}). */
    public record StringHeader(long size, long str, long len) {}

    /** The slice header ({@code array}, {@code len}, {@code cap}). */
    public record SliceHeader(long size, long array, long len, long cap) {}

    /** The map implementation a binary uses. */
    public sealed interface MapLayout permits Hmap, SwissMap {}

    /**
     * Buckets ({@code runtime.hmap}, {@code runtime/map.go}), before Go 1.24 and with
     * {@code GOEXPERIMENT=noswissmap} in 1.24; a bucket holds 8 slots after its {@code tophash}.
     */
    public record Hmap(long size, long count, long flags, long b, long noverflow, long hash0, long buckets, long oldbuckets,
                       long nevacuate, long extra) implements MapLayout {}

    /**
     * Swiss tables ({@code internal/runtime/maps}, Go 1.24+): a {@code Map} with a directory of
     * {@code table}s, each with an array of groups of 8 slots ({@code groupsReference}); a map of at
     * most 8 entries has {@code dirLen} 0 and {@code dirPtr} pointing at one group. Slot layout
     * depends on the key and value types (the map type's group type in DWARF).
     */
    public record SwissMap(long size, long used, long seed, long dirPtr, long dirLen, long globalDepth, long globalShift,
                           long tableSize, long tableUsed, long tableCapacity, long tableGrowthLeft, long tableLocalDepth,
                           long tableIndex, long tableGroups, long groupsData, long groupsLengthMask) implements MapLayout {}

    /** {@code runtime.hchan}. */
    public record Hchan(long size, long qcount, long dataqsiz, long buf, long elemsize, long closed, long elemtype, long sendx,
                        long recvx, long recvq, long sendq, long lock) {}

    /** {@code time.Time}. */
    public record Time(long size, long wall, long ext, long loc) {}

    /**
     * Link-time addresses of runtime variables.
     *
     * @param allgs   {@code runtime.allgs}, a {@code []*g}
     * @param allglen {@code runtime.allglen}, a {@code uintptr}
     */
    public record Globals(OptionalLong allgs, OptionalLong allglen) {}
}
