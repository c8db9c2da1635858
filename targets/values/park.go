package main

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"time"
)

// Each park function records its parameters and locals for the oracle,
// blocks forever on the same channel, and then (never reached) keeps every
// variable alive so that the debug info gives it a location at the parked
// pc. The variables are restricted to what the Go compiler describes
// reliably at a call site in optimized code:
//
//   - parameters and locals of scalar, string, slice, pointer, map, chan,
//     func and interface type, used by value after the block (keepAlive);
//     they are spilled to the stack and described by location lists;
//   - struct locals that contain pointers, whose address is taken (hold):
//     such a local lives in one stack slot from its definition on.
//
// The compiler gives no location at the parked pc to struct parameters
// passed in registers, nor to pointer-free struct or array locals, so there
// are none of those. Struct and array parameters passed on the stack
// (arrays always are, Employee is too big for the registers) are fine.
// Locals are computed at run time into values of their own: a local that is
// a constant, or merely a piece of a parameter (len(s), &s[0]), gets no debug
// entry.

//go:noinline
func parkScalars(b bool, i int, i8 int8, i16 int16, i32 int32, i64 int64,
	u uint, u8 uint8, u16 uint16, u32 uint32, u64 uint64, uptr uintptr,
	f32 float32, f64 float64, c64 complex64, c128 complex128) {
	sum := i64/2 + int64(i)
	product := f64 * float64(f32)
	record("main.parkScalars", map[string]any{
		"b": b, "i": i, "i8": i8, "i16": i16, "i32": i32, "i64": i64,
		"u": u, "u8": u8, "u16": u16, "u32": u32, "u64": u64, "uptr": uptr,
		"f32": f32, "f64": f64, "c64": complex64JSON(c64), "c128": complex128JSON(c128),
		"sum": sum, "product": product,
	})
	<-forever
	keepAlive(b, i, i8, i16, i32, i64, u, u8, u16, u32, u64, uptr, f32, f64, c64, c128,
		sum, product)
}

//go:noinline
func parkStrings(empty, ascii, utf8, long string, bs []byte) {
	sub := ascii[7:]
	n := len(long) + len(ascii)
	record("main.parkStrings", map[string]any{
		"empty": empty, "ascii": ascii, "utf8": utf8, "long": long, "bs": bs,
		"sub": sub, "n": n,
	})
	<-forever
	keepAlive(empty, ascii, utf8, long, bs, sub, n)
}

//go:noinline
func parkComposites(points []Point, grid [3][3]int, arr [4]uint16, emp Employee,
	nilSlice, emptySlice, window []int) {
	mid := &points[1]
	tags := emp.Tags
	record("main.parkComposites", map[string]any{
		"points": points, "grid": grid, "arr": arr, "emp": emp,
		"nilSlice": nilSlice, "emptySlice": emptySlice, "window": window,
		"mid": mid, "tags": tags,
	})
	<-forever
	keepAlive(points, grid, arr, emp, nilSlice, emptySlice, window, mid, tags)
}

//go:noinline
func parkPointers(nilPtr *Node, ppp ***int, list *Node, a, b *Peer) {
	second := list.Next
	depth := ***ppp
	record("main.parkPointers", map[string]any{
		"nilPtr": nilPtr, "ppp": ppp, "list": list,
		// a and b point at each other; {"$ref": name} stands for a pointer
		// equal to that variable.
		"a": map[string]any{"Name": a.Name, "Other": map[string]any{
			"Name": a.Other.Name, "Other": map[string]any{"$ref": "a"}}},
		"b": map[string]any{"Name": b.Name, "Other": map[string]any{
			"Name": b.Other.Name, "Other": map[string]any{"$ref": "b"}}},
		"second": second, "depth": depth,
	})
	<-forever
	keepAlive(nilPtr, ppp, list, a, b, second, depth)
}

//go:noinline
func parkInterfaces(err, nilErr, typedNil error, anyStruct, anyPtr, anyInt, nilAny any,
	temp fmt.Stringer, anyString, anyEmployee, anyJSON any) {
	msg := err.Error()
	record("main.parkInterfaces", map[string]any{
		"err": ifaceJSON(err), "nilErr": ifaceJSON(nilErr), "typedNil": ifaceJSON(typedNil),
		"anyStruct": ifaceJSON(anyStruct), "anyPtr": ifaceJSON(anyPtr),
		"anyInt": ifaceJSON(anyInt), "nilAny": ifaceJSON(nilAny), "temp": ifaceJSON(temp),
		"msg": msg, "anyString": ifaceJSON(anyString), "anyEmployee": ifaceJSON(anyEmployee),
		"anyJSON": ifaceJSONDeep(anyJSON),
	})
	<-forever
	keepAlive(err, nilErr, typedNil, anyStruct, anyPtr, anyInt, nilAny, temp, msg, anyString, anyEmployee, anyJSON)
}

// ifaceJSONDeep is ifaceJSON for values that hold interfaces themselves (what
// encoding/json decodes into): each one shows its dynamic type, as Loupe
// writes every interface.
func ifaceJSONDeep(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = ifaceJSONDeep(e)
		}
		return map[string]any{"type": reflect.TypeOf(v).String(), "value": m}
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = ifaceJSONDeep(e)
		}
		return map[string]any{"type": reflect.TypeOf(v).String(), "value": items}
	}
	return ifaceJSON(v)
}

//go:noinline
func parkMaps(small map[string]int, large map[int]string, nested map[string]map[string]int,
	structKeys map[Point]string, nilMap, emptyMap map[string]int, growing map[int]int) {
	count := len(large)
	apples := nested["fruit"]["apple"]
	record("main.parkMaps", map[string]any{
		"small": small, "large": large, "nested": nested,
		"structKeys": structKeyMapJSON(structKeys),
		"nilMap":     nilMap, "emptyMap": emptyMap,
		"count": count, "apples": apples,
		"growing": growing,
	})
	<-forever
	keepAlive(small, large, nested, structKeys, nilMap, emptyMap, count, apples, growing)
}

// growingMap fills a map until a bucket map is caught growing, some of its
// entries still in its old buckets: at the 27th entry, when 4 buckets become
// 8 and the insert moves at most 2 of the old ones. Swiss maps do not grow so.
func growingMap() map[int]int {
	m := make(map[int]int)
	for i := range 27 {
		m[i] = i * i
		if isGrowing(m) {
			return m
		}
	}
	if bucketMaps {
		panic("growingMap: the bucket map was not caught growing")
	}
	return m
}

//go:noinline
func parkChannels(nums chan int, nilCh chan int, done chan struct{}) {
	// jobs' ring buffer is made to wrap around: after two receives the
	// oldest item sits at index 2, and the last two sends land at 0 and 1.
	jobs := make(chan string, 4)
	jobs <- "a"
	jobs <- "b"
	jobs <- "c"
	jobs <- "d"
	<-jobs
	<-jobs
	jobs <- "e"
	jobs <- "f"
	queued := len(nums)
	record("main.parkChannels", map[string]any{
		"nums":   chanJSON(nums, []int{10, 20, 30}),
		"nilCh":  chanJSON(nilCh, []int{}),
		"done":   chanJSON(done, []struct{}{}),
		"jobs":   chanJSON(jobs, []string{"c", "d", "e", "f"}),
		"queued": queued,
	})
	<-forever
	keepAlive(nums, nilCh, done, jobs, queued)
}

//go:noinline
func parkTime(d time.Duration, offset int) {
	t := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	zoned := t.In(time.FixedZone("CEST", offset))
	deadline := t.Add(d)
	record("main.parkTime", map[string]any{
		"d": d, "offset": offset, "t": t, "zoned": zoned, "deadline": deadline,
	})
	<-forever
	keepAlive(d, offset)
	hold(&t)
	hold(&zoned)
	hold(&deadline)
}

//go:noinline
func parkFuncs(fn func(int) int, closure func() string, method func() string, nilFn func()) {
	result := fn(21)
	record("main.parkFuncs", map[string]any{
		"fn": funcJSON(fn), "closure": funcJSON(closure), "method": funcJSON(method),
		"nilFn": funcJSON(nilFn), "result": result,
	})
	<-forever
	keepAlive(fn, closure, method, nilFn, result)
}

// parkGeneric is instantiated with int and string, so the binary holds two
// shape-stenciled copies: main.parkGeneric[go.shape.int] and
// main.parkGeneric[go.shape.string].
//
//go:noinline
func parkGeneric[T any](v T, label string) {
	box := Box[T]{Value: v, Label: label, Count: int32(len(label))}
	// The shape of a predeclared type is named after the type itself.
	record(fmt.Sprintf("main.parkGeneric[go.shape.%T]", v), map[string]any{
		"v": v, "label": label, "box": box,
	})
	<-forever
	keepAlive(v, label)
	hold(&box)
}

//go:noinline
func double(x int) int { return 2 * x }

// makeGreeter is not inlined so that its closure keeps the stable name
// main.makeGreeter.func1.
//
//go:noinline
func makeGreeter(name string) func() string {
	return func() string { return "hello, " + name }
}

// structKeyMapJSON substitutes a map with struct keys, which encoding/json
// cannot write, by its entries sorted by key.
//
//go:noinline
func structKeyMapJSON(m map[Point]string) []map[string]any {
	keys := make([]Point, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b Point) int {
		return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.Y, b.Y))
	})
	entries := make([]map[string]any, len(keys))
	for i, k := range keys {
		entries[i] = map[string]any{"key": k, "value": m[k]}
	}
	return entries
}
