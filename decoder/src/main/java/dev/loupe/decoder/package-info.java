/**
 * Turns what the agent returns into what a snapshot holds: goroutine records decoded with the binary's runtime
 * layout, stacks unwound and symbolised with its pclntab (so stripped binaries work), in Go's own words.
 */
package dev.loupe.decoder;
