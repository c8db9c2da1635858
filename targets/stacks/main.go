// Command stacks parks goroutines in known, distinct call chains so that a
// debugger's snapshot of every goroutine can be compared with the runtime's
// own dump (runtime.Stack), written on SIGUSR1.
//
// Every chain is main.<kind>Outer -> main.<kind>Inner -> blocking call; the
// functions whose frames matter are marked noinline, and a few deliberately
// tiny helpers (waitOn, snooze) are left for the compiler to inline.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"loupe.test/targets/internal/fixture"
)

// maxGoroutines bounds -n.
const maxGoroutines = 100_000

// kinds are the goroutines' entry functions, one per kind of chain, in
// creation order. Goroutine i gets kinds[i] while i < len(kinds); the
// remaining ones cycle through the first repeatableKinds entries. The later
// kinds hold an OS thread, a listener or a CPU each, so they exist once at
// most.
var kinds = []func(){
	chanRecvOuter,
	selectOuter,
	mutexOuter,
	waitGroupOuter,
	sleepOuter,
	condOuter,
	syscallOuter,
	acceptOuter,
	lockedThreadOuter,
	recursionOuter,
	busyOuter,
}

const repeatableKinds = 6

// kindOf returns the entry function of the i-th goroutine (0-based).
func kindOf(i int) func() {
	if i < len(kinds) {
		return kinds[i]
	}
	return kinds[(i-len(kinds))%repeatableKinds]
}

const (
	longSleep  = 100_000 * time.Hour
	recursions = 128 // depth of the recursion chain; recurse appears 129 times
)

// The objects goroutines block on. Nothing ever sends on the channels,
// unlocks heldMu, calls neverWG.Done, signals cond, writes to the pipe or
// connects to acceptLn, so the goroutines stay where they are.
var (
	neverCh   = make(chan int)
	neverStr  = make(chan string)
	neverSend = make(chan int) // select tries to send here; nobody receives
	heldMu    sync.Mutex       // locked by main before any waiter starts
	neverWG   sync.WaitGroup   // Add(1) by main, never Done
	condMu    sync.Mutex
	cond      = sync.NewCond(&condMu)
	condDone  bool // the predicate cond waiters check; never set
	pipeRead  int  // read end of a raw pipe; the write end stays open, unused
	acceptLn  net.Listener
	parked    sync.WaitGroup // each goroutine calls Done right before it blocks
)

//go:noinline
func chanRecvOuter() { chanRecvInner() }

//go:noinline
func chanRecvInner() {
	parked.Done()
	waitOn(neverCh)
}

// waitOn is small enough to be inlined into its callers.
func waitOn(ch chan int) int { return <-ch }

//go:noinline
func selectOuter() { selectInner() }

//go:noinline
func selectInner() {
	parked.Done()
	select {
	case <-neverCh:
	case <-neverStr:
	case neverSend <- 1:
	}
}

//go:noinline
func mutexOuter() { mutexInner() }

//go:noinline
func mutexInner() {
	parked.Done()
	heldMu.Lock()
}

//go:noinline
func waitGroupOuter() { waitGroupInner() }

//go:noinline
func waitGroupInner() {
	parked.Done()
	neverWG.Wait()
}

//go:noinline
func sleepOuter() { sleepInner() }

//go:noinline
func sleepInner() {
	parked.Done()
	snooze()
}

// snooze is small enough to be inlined into sleepInner.
func snooze() { time.Sleep(longSleep) }

//go:noinline
func condOuter() { condInner() }

//go:noinline
func condInner() {
	condMu.Lock()
	parked.Done()
	for !condDone {
		cond.Wait()
	}
	condMu.Unlock()
}

//go:noinline
func syscallOuter() { syscallInner() }

//go:noinline
func syscallInner() {
	var buf [1]byte
	parked.Done()
	// A raw blocking read(2), not the netpoller. The runtime installs its
	// signal handlers with SA_RESTART, so signals do not end it.
	syscall.Read(pipeRead, buf[:])
}

//go:noinline
func acceptOuter() { acceptInner() }

//go:noinline
func acceptInner() {
	parked.Done()
	for {
		conn, err := acceptLn.Accept()
		if err != nil {
			log.Fatalf("accept: %v", err)
		}
		conn.Close() // a stray connection; go back to waiting
	}
}

//go:noinline
func lockedThreadOuter() {
	runtime.LockOSThread()
	lockedThreadInner()
}

//go:noinline
func lockedThreadInner() {
	parked.Done()
	waitOn(neverCh)
}

//go:noinline
func recursionOuter() { recurse(recursions) }

//go:noinline
func recurse(depth int) int {
	if depth == 0 {
		parked.Done()
		return waitOn(neverCh)
	}
	return recurse(depth-1) + depth
}

//go:noinline
func busyOuter() { busyLoop() }

//go:noinline
func busyLoop() {
	x := uint64(1)
	parked.Done()
	for {
		x ^= x << 13
		x = spinStep(x)
	}
}

// spinStep gives the busy loop a frame of its own above busyLoop.
//
//go:noinline
func spinStep(x uint64) uint64 { return x*6364136223846793005 + 1442695040888963407 }

// setUp creates the objects the goroutines block on.
func setUp() error {
	heldMu.Lock()
	neverWG.Add(1)
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		return fmt.Errorf("pipe: %w", err)
	}
	pipeRead = fds[0]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	acceptLn = ln
	return nil
}

// The branches: with -branches, each repeatable goroutine's chain hangs
// below a path of these, so that a snapshot has many distinct stacks.
//
//go:noinline
func branch0(path, depth int, leaf func()) { descend(path, depth, leaf) }

//go:noinline
func branch1(path, depth int, leaf func()) { descend(path, depth, leaf) }

//go:noinline
func branch2(path, depth int, leaf func()) { descend(path, depth, leaf) }

//go:noinline
func branch3(path, depth int, leaf func()) { descend(path, depth, leaf) }

// descend calls leaf below depth more branches, the next one path's lowest
// base-4 digit.
//
//go:noinline
func descend(path, depth int, leaf func()) {
	if depth == 0 {
		leaf()
		return
	}
	next := [...]func(int, int, func()){branch0, branch1, branch2, branch3}[path%4]
	next(path/4, depth-1, leaf)
}

// branched returns the entry of the i-th goroutine with -branches levels:
// the repeatable kinds below 1 to levels branches, the path and its depth
// taken from the goroutine's index among those of its kind.
func branched(i, levels int) func() {
	leaf := kindOf(i)
	if levels == 0 || i < len(kinds) {
		return leaf
	}
	j := (i - len(kinds)) / repeatableKinds
	return func() { descend(j/levels, 1+j%levels, leaf) }
}

// spawn starts n goroutines and returns once each is about to block.
func spawn(n, levels int) {
	parked.Add(n)
	for i := range n {
		go branched(i, levels)()
	}
	parked.Wait()
	// Done comes right before the blocking call; give the last goroutines a
	// moment to actually park.
	time.Sleep(100 * time.Millisecond)
}

// order is what holders hold: a pointer for the capture to follow.
type order struct {
	ID       int
	Customer string
	Items    []int
	Next     *order
}

// The holders: five functions with five live variables each, parked with
// them in stack slots (-holders), for measuring the cost of capturing values.
//
//go:noinline
func holdA(id int, name string, o *order, items []int, n int) {
	hold()
	keep(id, name, o, items, n)
}

//go:noinline
func holdB(id int, name string, o *order, items []int, n int) {
	hold()
	keep(id, name, o, items, n)
}

//go:noinline
func holdC(id int, name string, o *order, items []int, n int) {
	hold()
	keep(id, name, o, items, n)
}

//go:noinline
func holdD(id int, name string, o *order, items []int, n int) {
	hold()
	keep(id, name, o, items, n)
}

//go:noinline
func holdE(id int, name string, o *order, items []int, n int) {
	hold()
	keep(id, name, o, items, n)
}

// hold parks; each holder uses its arguments after it, so they are live, in
// stack slots, at the call.
//
//go:noinline
func hold() {
	parked.Done()
	<-neverCh
}

//go:noinline
func keep(...any) {}

var holders = []func(int, string, *order, []int, int){holdA, holdB, holdC, holdD, holdE}

// carry is inlined into holdInlined: its variable o lives in holdInlined's
// frame, across the call of hold, described by the inlined call's DWARF.
func carry(o *order) int {
	hold()
	return o.ID
}

//go:noinline
func holdInlined(o *order) int { return carry(o) + 1 }

// carryValue keeps an out-of-line copy of carry in the binary, which is what
// a spec names: a function that exists only inlined has no DWARF function.
var carryValue = carry

// spawnHolders starts n goroutines parked in the holders, in turn.
func spawnHolders(n int) {
	parked.Add(n)
	for i := range n {
		o := &order{ID: i, Customer: fmt.Sprintf("customer-%d", i), Items: []int{i, i + 1, i + 2}}
		o.Next = &order{ID: -i, Customer: "next"}
		go holders[i%len(holders)](i, fmt.Sprintf("holder-%d", i), o, o.Items, i*2)
	}
	parked.Add(1)
	go holdInlined(&order{ID: 424242, Customer: "inlined"})
	if n < 0 {
		carryValue(nil) // never: a use, so that the linker keeps carry's out-of-line copy
	}
	parked.Wait()
	time.Sleep(100 * time.Millisecond)
}

// dump returns runtime.Stack for all goroutines, growing the buffer until
// the whole dump fits.
func dump() []byte {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// serveStacks serves GET /stacks on addr and returns the bound address.
func serveStacks(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stacks", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(dump())
	})
	go http.Serve(ln, mux)
	return ln.Addr().String(), nil
}

// clock measures how long the whole process stalls: it reads the clock in a
// tight loop and remembers the largest gap between two readings, and where
// the gaps longer than 100 µs fell (so that a stall can be told apart from
// the CPU time other processes took).
type clock struct {
	maxGap atomic.Int64
	mu     sync.Mutex
	gaps   []string
}

// takeGaps returns the long gaps since the last call as "START_UNIX_NS:LEN_NS".
func (c *clock) takeGaps() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.gaps
	c.gaps = nil
	return g
}

func (c *clock) run() {
	last := time.Now()
	yielded := last
	for {
		now := time.Now()
		gap := int64(now.Sub(last))
		for {
			old := c.maxGap.Load()
			if gap <= old || c.maxGap.CompareAndSwap(old, gap) {
				break
			}
		}
		if gap > int64(100*time.Microsecond) {
			c.mu.Lock()
			if len(c.gaps) < 10000 {
				c.gaps = append(c.gaps, fmt.Sprintf("%d:%d", last.UnixNano(), gap))
			}
			c.mu.Unlock()
		}
		last = now
		// Yield now and then so that the signal handling goroutine gets a
		// processor promptly even when the busy loop holds the other one.
		// The time spent yielding counts towards the next gap: a stop of the
		// process may fall into it.
		if now.Sub(yielded) > time.Millisecond {
			runtime.Gosched()
			yielded = now
		}
	}
}

func main() {
	n := flag.Int("n", 100, "number of parked goroutines (1 to 100000)")
	oracle := flag.String("oracle", "", "file that SIGUSR1 writes the runtime's stack dump to")
	httpAddr := flag.String("http", "", "serve GET /stacks on this address, e.g. 127.0.0.1:0")
	withClock := flag.Bool("clock", false, "run a clock loop that measures stalls; SIGUSR2 reports them")
	holderCount := flag.Int("holders", 0, "also park this many goroutines in main.holdA ... main.holdE, each with 5 live variables")
	levels := flag.Int("branches", 0, "run the repeatable chains below 1 to this many levels of main.branch0 ... main.branch3 (0 to 8)")
	flag.Parse()
	if *n < 1 || *n > maxGoroutines {
		log.Fatalf("-n must be between 1 and %d", maxGoroutines)
	}
	if *levels < 0 || *levels > 8 {
		log.Fatal("-branches must be between 0 and 8")
	}

	// Catch the signals first: SIGUSR1/2 would otherwise kill the process.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTERM, syscall.SIGINT)

	if err := setUp(); err != nil {
		log.Fatal(err)
	}
	spawn(*n, *levels)
	if *holderCount > 0 {
		spawnHolders(*holderCount)
	}
	var clk *clock
	if *withClock {
		clk = new(clock)
		go clk.run()
	}
	if *httpAddr != "" {
		addr, err := serveStacks(*httpAddr)
		if err != nil {
			log.Fatal(err)
		}
		fixture.Say("http %s", addr)
	}
	fixture.Ready()

	for sig := range sigs {
		switch sig {
		case syscall.SIGUSR1:
			if *oracle == "" {
				log.Print("SIGUSR1 ignored: no -oracle given")
				continue
			}
			if err := fixture.WriteFile(*oracle, dump()); err != nil {
				log.Fatal(err)
			}
			fixture.Say("oracle %s", *oracle)
		case syscall.SIGUSR2:
			if clk == nil {
				log.Print("SIGUSR2 ignored: no -clock given")
				continue
			}
			fixture.Say("gaps %s", strings.Join(clk.takeGaps(), " "))
			fixture.Say("maxgap_ns %d", clk.maxGap.Swap(0))
		default:
			return
		}
	}
}
