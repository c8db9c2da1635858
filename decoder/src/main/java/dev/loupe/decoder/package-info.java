/**
 * Turns what the agent returns into what a snapshot holds: goroutine records decoded with the binary's runtime
 * layout, stacks unwound and symbolised with its pclntab (so stripped binaries work), in Go's own words; and the
 * values a spec captured, from the chunks of memory the program read, as JSON in the shapes docs/snapshot-format.md
 * documents. For example, {@code err} of {@code targets/values}' {@code main.parkInterfaces} (an {@code error}
 * holding a {@code *main.QueryError}):
 *
 * <pre>
 * {"type":"*main.QueryError","value":{"Query":"SELECT 1","Code":42}}
 * </pre>
 *
 * and {@code a}, a {@code *main.Peer} in a cycle of two, whose address varies:
 *
 * <pre>
 * {"Name":"a","Other":{"Name":"b","Other":{"$cycle":"0xc000012345"}}}
 * </pre>
 *
 * and the same {@code a} in the raw form ({@link dev.loupe.decoder.ValueForm#RAW}), where each pointer and each
 * string's bytes carry their address, and the cycle closes on the pointer it began with:
 *
 * <pre>
 * {"$addr":"0xc000012340","value":{"Name":{"$addr":"0x4c0de1","value":"a"},
 *  "Other":{"$addr":"0xc000012360","value":{"Name":{"$addr":"0x4c0de2","value":"b"},
 *  "Other":{"$addr":"0xc000012340","value":{"$cycle":"0xc000012340"}}}}}}
 * </pre>
 *
 * (the app's {@code ValuesCaptureTest} keeps these samples true).
 */
package dev.loupe.decoder;
