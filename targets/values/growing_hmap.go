//go:build !goexperiment.swissmap && !go1.26

package main

import "unsafe"

// bucketMaps is true: this build's maps are runtime.hmap ones.
const bucketMaps = true

// hmapHead is the start of runtime.hmap (runtime/map.go), the bucket maps of
// Go before 1.24 and of GOEXPERIMENT=noswissmap in 1.24 and 1.25.
type hmapHead struct {
	count      int
	flags      uint8
	B          uint8
	noverflow  uint16
	hash0      uint32
	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
}

// isGrowing reports whether m is between two sizes: some of its entries still
// in its old buckets, the others moved to the new ones.
func isGrowing(m map[int]int) bool {
	h := *(**hmapHead)(unsafe.Pointer(&m))
	return h.oldbuckets != nil
}
