// Command values parks goroutines in functions whose parameters and locals
// cover the kinds of Go values a debugger must decode from DWARF. The
// -oracle file holds every variable's value, the -layout file the memory
// layout of every struct type involved.
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"loupe.test/targets/internal/fixture"
)

var (
	forever = make(chan struct{}) // every park function blocks on it; never closed
	parked  sync.WaitGroup        // one Done per park function, right before it blocks

	oracleMu sync.Mutex
	oracle   = map[string]map[string]any{} // function name -> variable name -> value
)

// launch runs f, which ends in a park function, in a new goroutine.
func launch(f func()) {
	parked.Add(1)
	go f()
}

// The helpers the park functions call are not inlined, so that the park
// functions' debug info holds their own variables only.

// record stores the variables of the park function fn for the oracle and
// reports that fn is about to block.
//
//go:noinline
func record(fn string, vars map[string]any) {
	oracleMu.Lock()
	oracle[fn] = vars
	oracleMu.Unlock()
	parked.Done()
}

// keepAlive keeps its arguments live up to the point where it is called.
//
//go:noinline
func keepAlive(vs ...any) { runtime.KeepAlive(vs) }

// hold takes the address of a local without letting it escape, which keeps
// the local in a stack slot of its own (see park.go).
//
//go:noinline
func hold[T any](*T) {}

// JSON substitutes for values that encoding/json cannot write; each one is
// documented in README.md.

//go:noinline
func complex64JSON(c complex64) map[string]float32 {
	return map[string]float32{"real": real(c), "imag": imag(c)}
}

//go:noinline
func complex128JSON(c complex128) map[string]float64 {
	return map[string]float64{"real": real(c), "imag": imag(c)}
}

// chanJSON describes a channel by its length, capacity and buffered items
// (oldest first); items must be what the caller put in. A nil channel is null.
//
//go:noinline
func chanJSON[T any](ch chan T, items []T) any {
	if ch == nil {
		return nil
	}
	return map[string]any{"len": len(ch), "cap": cap(ch), "items": items}
}

// funcJSON names the function a func value points to; a nil func is null.
//
//go:noinline
func funcJSON(f any) any {
	v := reflect.ValueOf(f)
	if v.IsNil() {
		return nil
	}
	return map[string]any{"func": runtime.FuncForPC(v.Pointer()).Name()}
}

// ifaceJSON gives an interface value's dynamic type next to its value; a nil
// interface is null.
//
//go:noinline
func ifaceJSON(v any) any {
	if v == nil {
		return nil
	}
	return map[string]any{"type": reflect.TypeOf(v).String(), "value": v}
}

// start launches one goroutine per park function with fixed values.
func start() {
	launch(func() {
		parkScalars(true, -42, math.MinInt8, -12345, -1234567890, math.MinInt64,
			42, math.MaxUint8, math.MaxUint16, math.MaxUint32, math.MaxUint64, 0xdeadbeef,
			float32(math.Pi), math.E, complex(1.5, -2.25), complex(-3, 0.125))
	})

	launch(func() {
		ascii, long, bs := "hello, loupe", strings.Repeat("0123456789", 1024), []byte("bytes\x00\xff")
		at := addressesOf("main.parkStrings")
		at("ascii", "$addr", unsafe.Pointer(unsafe.StringData(ascii)))
		at("sub", "$addr", unsafe.Pointer(unsafe.StringData(ascii[7:])))
		at("long", "$addr", unsafe.Pointer(unsafe.StringData(long)))
		at("bs", "$addr", unsafe.Pointer(unsafe.SliceData(bs)))
		parkStrings("", ascii, "héllo, wörld — 日本語 🙂", long, bs)
	})

	launch(func() {
		backing := []int{0, 1, 2, 3, 4, 5, 6, 7}
		points := []Point{{1, 2}, {3, 4}, {-5, -6}}
		emp := Employee{
			Name:    "Ada",
			Age:     36,
			Salary:  12345.5,
			Address: Address{Street: "12 Analytical Way", City: "London", Zip: 1815},
			Tags:    []string{"math", "engines"},
			Scores:  [3]int16{-1, 0, 1},
			Active:  true,
		}
		emptySlice := []int{}
		at := addressesOf("main.parkComposites")
		at("points", "$addr", unsafe.Pointer(unsafe.SliceData(points)))
		at("mid", "$addr", unsafe.Pointer(&points[1]))
		at("emp", "Name.$addr", unsafe.Pointer(unsafe.StringData(emp.Name)))
		at("emp", "Tags.$addr", unsafe.Pointer(unsafe.SliceData(emp.Tags)))
		at("tags", "$addr", unsafe.Pointer(unsafe.SliceData(emp.Tags)))
		at("emptySlice", "$addr", unsafe.Pointer(unsafe.SliceData(emptySlice)))
		at("window", "$addr", unsafe.Pointer(&backing[2]))
		parkComposites(points, [3][3]int{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, [4]uint16{1, 10, 100, 1000}, emp,
			nil, emptySlice, backing[2:5]) // window: len 3, cap 6
	})

	launch(func() {
		n := 7
		p := &n
		pp := &p
		list := &Node{Value: 1, Next: &Node{Value: 2, Next: &Node{Value: 3}}}
		a, b := &Peer{Name: "a"}, &Peer{Name: "b"}
		a.Other, b.Other = b, a
		at := addressesOf("main.parkPointers")
		at("ppp", "$addr", unsafe.Pointer(&pp))
		at("ppp", "value.$addr", unsafe.Pointer(pp))
		at("ppp", "value.value.$addr", unsafe.Pointer(p))
		at("list", "$addr", unsafe.Pointer(list))
		at("list", "value.Next.$addr", unsafe.Pointer(list.Next))
		at("second", "$addr", unsafe.Pointer(list.Next))
		at("a", "$addr", unsafe.Pointer(a))
		at("a", "value.Other.$addr", unsafe.Pointer(b))
		at("a", "value.Other.value.Other.value.$cycle", unsafe.Pointer(a))
		at("b", "$addr", unsafe.Pointer(b))
		at("b", "value.Other.value.Other.value.$cycle", unsafe.Pointer(b))
		parkPointers(nil, &pp, list, a, b)
	})

	launch(func() {
		var typedNil *QueryError
		var err, typedNilErr error = &QueryError{Query: "SELECT 1", Code: 42}, typedNil
		var anyStruct, anyPtr, anyInt any = Point{3, 4}, &Point{5, 6}, 42
		var temp fmt.Stringer = Celsius(21.5)
		// An empty interface's type word is the dynamic type an itab names.
		errType, tempType := any(err), any(temp)
		at := addressesOf("main.parkInterfaces")
		at("err", "$itab", word(&err, 0))
		at("err", "$type", word(&errType, 0))
		at("err", "value.$addr", word(&err, 1))
		at("typedNil", "$itab", word(&typedNilErr, 0))
		at("typedNil", "$type", word(&errType, 0))
		at("anyStruct", "$type", word(&anyStruct, 0))
		at("anyStruct", "value.$addr", word(&anyStruct, 1))
		at("anyPtr", "value.$addr", word(&anyPtr, 1))
		at("anyInt", "value.$addr", word(&anyInt, 1))
		at("temp", "$itab", word(&temp, 0))
		at("temp", "$type", word(&tempType, 0))
		at("temp", "value.$addr", word(&temp, 1))
		parkInterfaces(err, nil, typedNilErr, anyStruct, anyPtr, anyInt, nil, temp, "any text",
			&Employee{Name: "Grace", Age: 45, Address: Address{City: "Arlington"}, Tags: []string{"navy", "cobol"}},
			map[string]any{"name": "ada", "tags": []any{"x", 2.5, true}, "nested": map[string]any{"n": 1.0}})
	})

	launch(func() {
		large := make(map[int]string, 1000)
		for i := range 1000 {
			large[i] = "item-" + strconv.Itoa(i)
		}
		small := map[string]int{"one": 1, "two": 2, "three": 3}
		nested := map[string]map[string]int{"fruit": {"apple": 3, "pear": 5}, "veg": {"leek": 1}}
		fruit, emptyMap := nested["fruit"], map[string]int{}
		at := addressesOf("main.parkMaps")
		at("small", "$addr", word(&small, 0))
		at("large", "$addr", word(&large, 0))
		at("nested", "value.fruit.$addr", word(&fruit, 0))
		at("emptyMap", "$addr", word(&emptyMap, 0))
		parkMaps(small, large, nested, map[Point]string{{1, 2}: "a", {3, 4}: "b", {-1, 0}: "c"}, nil, emptyMap, growingMap())
	})

	launch(func() {
		nums := make(chan int, 8)
		nums <- 10
		nums <- 20
		nums <- 30
		done := make(chan struct{})
		at := addressesOf("main.parkChannels")
		at("nums", "$addr", word(&nums, 0))
		at("done", "$addr", word(&done, 0))
		parkChannels(nums, nil, done)
	})

	launch(func() { parkTime(90*time.Minute+1500*time.Millisecond, 2*60*60) })

	launch(func() {
		fn, closure, method := double, makeGreeter("loupe"), Celsius(21.5).String
		at := addressesOf("main.parkFuncs")
		at("fn", "$addr", word(&fn, 0))
		at("closure", "$addr", word(&closure, 0))
		at("method", "$addr", word(&method, 0))
		parkFuncs(fn, closure, method, nil)
	})

	launch(func() { parkGeneric(7, "int box") })
	launch(func() { parkGeneric("seven", "string box") })
}

func main() {
	oraclePath := flag.String("oracle", "", "write the variables' values as JSON to this file")
	layoutPath := flag.String("layout", "", "write the struct layouts as JSON to this file")
	spinning := flag.Bool("spin", false, "also run a goroutine that spins in main.spin, never parking")
	addressesPath := flag.String("addresses", "", "write the addresses of some of the variables' parts as JSON to this file")
	flag.Parse()

	start()
	if *spinning {
		go spin(spinLabel, spinStep)
	}
	parked.Wait()
	// record comes right before the blocking receive; give the goroutines a
	// moment to actually park.
	time.Sleep(50 * time.Millisecond)

	if *oraclePath != "" {
		oracleMu.Lock()
		err := fixture.WriteJSON(*oraclePath, oracle)
		oracleMu.Unlock()
		if err != nil {
			log.Fatal(err)
		}
	}
	if *addressesPath != "" {
		oracleMu.Lock()
		err := fixture.WriteJSON(*addressesPath, addresses)
		oracleMu.Unlock()
		if err != nil {
			log.Fatal(err)
		}
	}
	if *layoutPath != "" {
		if err := fixture.WriteJSON(*layoutPath, layouts()); err != nil {
			log.Fatal(err)
		}
	}
	fixture.Ready()
	fixture.AwaitTermination()
}
