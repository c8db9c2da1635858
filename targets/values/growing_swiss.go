//go:build goexperiment.swissmap || go1.26

package main

// bucketMaps is false: this build's maps are swiss tables.
const bucketMaps = false

// isGrowing is false for swiss maps, which grow a table at a time, at once.
func isGrowing(map[int]int) bool { return false }
