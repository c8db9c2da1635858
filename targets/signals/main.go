// Command signals keeps goroutines where a signal interrupted them, at an
// instruction that is not a call: the states a debugger catches a Go program
// in whenever the runtime preempts a goroutine (SIGURG) or profiles it
// (SIGPROF), made to last.
//
// By default a running goroutine's thread is held inside a signal handler:
// the thread's registers are then the handler's, on the alternate signal
// stack, and the goroutine's own registers are in the signal frame; g.sched
// is stale while it runs. A C handler holds the thread there until the
// process ends, so every snapshot finds it so.
//
// With -preempt, two goroutines spin in a frameless leaf function on one P:
// whichever is not running was preempted asynchronously inside it, before
// the leaf could push a frame pointer (it never does), so frame pointers
// skip its caller.
package main

/*
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static int hold_pipe[2] = {-1, -1};
static volatile uintptr_t interrupted_pc;

// hold blocks on a pipe until release writes a byte: the thread stays in the
// handler meanwhile, on the alternate signal stack Go gave it.
static void hold(int sig, siginfo_t *info, void *context) {
	ucontext_t *uc = context;
	char b;
	interrupted_pc = uc->uc_mcontext.gregs[REG_RIP];
	while (read(hold_pipe[0], &b, 1) != 1) {
	}
}

// interrupt sends SIGUSR2, handled by hold, to thread tid.
static int interrupt(int tid) {
	if (hold_pipe[0] < 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = hold;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		if (pipe(hold_pipe) != 0 || sigaction(SIGUSR2, &sa, NULL) != 0) {
			return -1;
		}
	}
	interrupted_pc = 0;
	return syscall(SYS_tgkill, getpid(), tid, SIGUSR2);
}

static uintptr_t held_at(void) { return interrupted_pc; }

static void release(void) {
	char b = 0;
	while (write(hold_pipe[1], &b, 1) != 1) {
	}
}
*/
import "C"

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"loupe.test/targets/internal/fixture"
)

var spinning atomic.Bool

func main() {
	preempt := flag.Bool("preempt", false, "two goroutines spinning in a frameless leaf on one P, preempting each other")
	flag.Parse()
	if *preempt {
		preempted()
		return
	}
	// A stop of the world would wait for ever for the held goroutine, which
	// keeps its P: no collections, and a P for everything else.
	debug.SetGCPercent(-1)
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	tids := make(chan int)
	go busyOuter(tids)
	tid := <-tids
	for !spinning.Load() {
		runtime.Gosched()
	}
	fn, err := hold(tid)
	if err != nil {
		fmt.Fprintln(os.Stderr, "signals:", err)
		os.Exit(1)
	}
	fixture.Say("held %d %s", tid, fn)
	fixture.Ready()
	fixture.AwaitTermination()
}

// hold signals the busy goroutine's thread until the handler catches it in
// the busy loop's own code (not in the runtime, preempting it), and returns
// the function it was interrupted in.
func hold(tid int) (string, error) {
	for attempt := 0; attempt < 100; attempt++ {
		if C.interrupt(C.int(tid)) != 0 {
			return "", fmt.Errorf("cannot signal thread %d", tid)
		}
		for C.held_at() == 0 {
			time.Sleep(time.Millisecond)
		}
		fn := runtime.FuncForPC(uintptr(C.held_at()))
		if fn != nil && (fn.Name() == "main.busyLoop" || fn.Name() == "main.spinStep") {
			return fn.Name(), nil
		}
		C.release()
	}
	return "", fmt.Errorf("thread %d was never interrupted in the busy loop", tid)
}

//go:noinline
func busyOuter(tids chan<- int) {
	runtime.LockOSThread()
	busyLoop(tids)
}

//go:noinline
func busyLoop(tids chan<- int) {
	tids <- syscall.Gettid()
	spinning.Store(true)
	x := uint64(1)
	for {
		x ^= x << 13
		x = spinStep(x)
	}
}

// spinStep gives the loop a frame of its own above busyLoop.
//
//go:noinline
func spinStep(x uint64) uint64 { return x*6364136223846793005 + 1442695040888963407 }

// preempted starts two goroutines that spin in spinLeaf on the only P, so
// that the scheduler preempts one for the other every 10 ms, asynchronously:
// the leaf makes no calls, so it has no preemption point of its own.
func preempted() {
	runtime.GOMAXPROCS(1)
	var started atomic.Int32
	for range 2 {
		go leafOuter(&started)
	}
	for started.Load() < 2 {
		runtime.Gosched()
	}
	fixture.Ready()
	fixture.AwaitTermination()
}

//go:noinline
func leafOuter(started *atomic.Int32) {
	started.Add(1)
	spinLeaf(uint64(started.Load()))
}

// spinLeaf never returns, calls nothing and keeps everything in registers:
// the compiler gives it no frame, so it never pushes a frame pointer.
//
//go:noinline
func spinLeaf(x uint64) uint64 {
	for x != 0 {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}
