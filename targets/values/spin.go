package main

import "fmt"

// spinLabel and spinStep are what spin holds in registers while it runs.
const (
	spinLabel = "spinning in registers"
	spinStep  = 7
)

// spin never blocks: a snapshot finds its goroutine running, its variables in
// the registers its thread stopped with (-spin). The loop makes no call on
// its hot path, so the compiler keeps label and step in registers there.
//
//go:noinline
func spin(label string, step uint64) {
	x := step
	for {
		x = x*6364136223846793005 + step
		if x == uint64(len(label)) {
			fmt.Println(label, x)
		}
	}
}
