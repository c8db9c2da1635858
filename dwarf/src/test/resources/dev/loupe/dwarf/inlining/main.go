// Command inlining prints, from inside chains of inlined calls, the program
// counters runtime.Callers sees, what runtime.CallersFrames makes of them, and
// runtime.Stack of every goroutine. Tests compare a pclntab reader against it.
//
// With the argument "wait" it instead prints the run-time address of
// main.record and "ready", then sleeps: tests read its load address.
package main

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"time"
)

var (
	sink int
	out  strings.Builder
)

// record is never inlined: it is the innermost physical frame of every report.
//
//go:noinline
func record(tag string) {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(1, pcs)
	fmt.Fprintf(&out, "=== callers %s\n", tag)
	for _, pc := range pcs[:n] {
		fmt.Fprintf(&out, "pc %#x\n", pc)
	}
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		fmt.Fprintf(&out, "frame %s %s:%d\n", f.Function, f.File, f.Line)
		if !more {
			break
		}
	}
}

func leaf(x int) int {
	record("leaf")
	return x + 1
}

func middle(x int) int {
	return leaf(x) * 2
}

type counter struct{ n int }

func (c *counter) bump(x int) int {
	return middle(x) + c.n
}

func pair[T any](a, b T) T {
	record("generic")
	return b
}

var wg, parked sync.WaitGroup

func park(ch chan int) int {
	parked.Done()
	return <-ch
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "wait" {
		fmt.Printf("record %#x\nready\n", reflect.ValueOf(record).Pointer())
		time.Sleep(time.Hour)
		return
	}
	// Position-independent builds load anywhere: this tells where.
	fmt.Fprintf(&out, "=== record %#x\n", reflect.ValueOf(record).Pointer())
	c := &counter{n: 1}
	sink += c.bump(3)
	sink += pair(1, 2)
	sink += len(pair("a", "b"))
	func() {
		record("closure")
	}()
	ch := make(chan int)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		parked.Add(1)
		go func() {
			defer wg.Done()
			sink += park(ch)
		}()
	}
	parked.Wait()
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	fmt.Fprintf(&out, "=== stack\n%s", buf[:n])
	close(ch)
	wg.Wait()
	fmt.Fprintf(&out, "=== end %d\n", sink)
	os.Stdout.WriteString(out.String())
}
