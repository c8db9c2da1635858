// Command values parks goroutines in functions whose parameters and locals
// cover the kinds of Go values a debugger must decode from DWARF. The
// -oracle file holds every variable's value, the -layout file the memory
// layout of every struct type involved.
package main

import (
	"flag"
	"log"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

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
		parkStrings("", "hello, loupe", "héllo, wörld — 日本語 🙂",
			strings.Repeat("0123456789", 1024), []byte("bytes\x00\xff"))
	})

	launch(func() {
		backing := []int{0, 1, 2, 3, 4, 5, 6, 7}
		parkComposites(
			[]Point{{1, 2}, {3, 4}, {-5, -6}},
			[3][3]int{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}},
			[4]uint16{1, 10, 100, 1000},
			Employee{
				Name:    "Ada",
				Age:     36,
				Salary:  12345.5,
				Address: Address{Street: "12 Analytical Way", City: "London", Zip: 1815},
				Tags:    []string{"math", "engines"},
				Scores:  [3]int16{-1, 0, 1},
				Active:  true,
			},
			nil, []int{}, backing[2:5]) // window: len 3, cap 6
	})

	launch(func() {
		n := 7
		p := &n
		pp := &p
		list := &Node{Value: 1, Next: &Node{Value: 2, Next: &Node{Value: 3}}}
		a, b := &Peer{Name: "a"}, &Peer{Name: "b"}
		a.Other, b.Other = b, a
		parkPointers(nil, &pp, list, a, b)
	})

	launch(func() {
		var typedNil *QueryError
		parkInterfaces(&QueryError{Query: "SELECT 1", Code: 42}, nil, typedNil,
			Point{3, 4}, &Point{5, 6}, 42, nil, Celsius(21.5), "any text",
			&Employee{Name: "Grace", Age: 45, Address: Address{City: "Arlington"}, Tags: []string{"navy", "cobol"}},
			map[string]any{"name": "ada", "tags": []any{"x", 2.5, true}, "nested": map[string]any{"n": 1.0}})
	})

	launch(func() {
		large := make(map[int]string, 1000)
		for i := range 1000 {
			large[i] = "item-" + strconv.Itoa(i)
		}
		parkMaps(
			map[string]int{"one": 1, "two": 2, "three": 3},
			large,
			map[string]map[string]int{"fruit": {"apple": 3, "pear": 5}, "veg": {"leek": 1}},
			map[Point]string{{1, 2}: "a", {3, 4}: "b", {-1, 0}: "c"},
			nil, map[string]int{}, growingMap())
	})

	launch(func() {
		nums := make(chan int, 8)
		nums <- 10
		nums <- 20
		nums <- 30
		parkChannels(nums, nil, make(chan struct{}))
	})

	launch(func() { parkTime(90*time.Minute+1500*time.Millisecond, 2*60*60) })

	launch(func() {
		parkFuncs(double, makeGreeter("loupe"), Celsius(21.5).String, nil)
	})

	launch(func() { parkGeneric(7, "int box") })
	launch(func() { parkGeneric("seven", "string box") })
}

func main() {
	oraclePath := flag.String("oracle", "", "write the variables' values as JSON to this file")
	layoutPath := flag.String("layout", "", "write the struct layouts as JSON to this file")
	spinning := flag.Bool("spin", false, "also run a goroutine that spins in main.spin, never parking")
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
	if *layoutPath != "" {
		if err := fixture.WriteJSON(*layoutPath, layouts()); err != nil {
			log.Fatal(err)
		}
	}
	fixture.Ready()
	fixture.AwaitTermination()
}
