package main

import (
	"fmt"
	"unsafe"
)

// addresses is the -addresses file: function name -> variable name -> place
// in the variable's value -> the address Go says is there. A place is a path
// into Loupe's raw form of the value (docs/snapshot-format.md), such as
// "$addr" (the pointer itself) or "value.Next.$addr" (the Next field of what
// it points to).
var addresses = map[string]map[string]map[string]string{}

// addressesOf returns a function that records, for park function fn, the
// address p at a place in the raw form of one of its variables.
func addressesOf(fn string) func(variable, place string, p unsafe.Pointer) {
	return func(variable, place string, p unsafe.Pointer) {
		oracleMu.Lock()
		defer oracleMu.Unlock()
		if addresses[fn] == nil {
			addresses[fn] = map[string]map[string]string{}
		}
		if addresses[fn][variable] == nil {
			addresses[fn][variable] = map[string]string{}
		}
		addresses[fn][variable][place] = fmt.Sprintf("%p", p)
	}
}

// word is the i-th machine word of *v: for a string or slice its data
// pointer (0); for a map, chan or func the pointer it is (0); for an
// interface its type word (0) and data word (1).
func word[T any](v *T, i int) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(v), i*int(unsafe.Sizeof(uintptr(0)))))
}
