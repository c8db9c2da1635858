/**
 * The spec file: which Go functions' frames a snapshot captures and which expressions it evaluates in each, read
 * from YAML ({@link dev.loupe.probegen.spec.SpecReader}) and resolved against a binary's DWARF into access paths
 * ({@link dev.loupe.probegen.spec.SpecResolver}), field promotion included as in
 * <a href="https://go.dev/ref/spec#Selectors">the Go spec's Selectors</a>; the format is docs/spec.md.
 */
package dev.loupe.probegen.spec;
