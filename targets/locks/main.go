// Command locks stages the classic debugging scene of a database: some
// transactions hold row locks while they wait for a slow client, others are
// blocked waiting for those locks, forming wait chains (C waits for B, which
// waits for A). A debugger should be able to show which query blocks which
// from the goroutines' frames alone.
package main

import (
	"flag"
	"fmt"
	"log"
	"sync"
	"time"

	"loupe.test/targets/internal/fixture"
)

// Lock is an exclusive lock on one row.
type Lock struct {
	Key    string
	Holder *Txn // nil while free
}

// LockTable is a toy lock manager. Waiters sleep on one condition variable
// that is broadcast whenever a lock is released.
type LockTable struct {
	mu    sync.Mutex
	freed *sync.Cond
	locks map[string]*Lock
}

func NewLockTable() *LockTable {
	t := &LockTable{locks: map[string]*Lock{}}
	t.freed = sync.NewCond(&t.mu)
	return t
}

// Acquire blocks until txn holds the lock on key.
//
//go:noinline
func (t *LockTable) Acquire(txn *Txn, key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.locks[key]
	if l == nil {
		l = &Lock{Key: key}
		t.locks[key] = l
	}
	for l.Holder != nil && l.Holder != txn {
		txn.WaitingFor = l
		t.freed.Wait()
	}
	txn.WaitingFor = nil
	l.Holder = txn
	txn.Holds = append(txn.Holds, l)
}

// ReleaseAll frees every lock txn holds.
func (t *LockTable) ReleaseAll(txn *Txn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range txn.Holds {
		l.Holder = nil
	}
	txn.Holds = nil
	t.freed.Broadcast()
}

// Txn is a transaction. Holds and WaitingFor are guarded by the table's mu.
type Txn struct {
	ID         int
	Name       string
	Start      time.Time
	Queries    []*Query
	Current    *Query
	Holds      []*Lock
	WaitingFor *Lock
}

// Query is one statement of a transaction. It locks the row Key; if Client
// is set, it then streams its result to a client that never reads.
type Query struct {
	SQL    string
	Key    string
	Txn    *Txn
	Client chan string
}

// run executes the transaction's queries in order, then commits.
//
//go:noinline
func (txn *Txn) run(table *LockTable) {
	for _, q := range txn.Queries {
		txn.Current = q
		q.execute(table)
	}
	table.ReleaseAll(txn)
}

//go:noinline
func (q *Query) execute(table *LockTable) {
	table.Acquire(q.Txn, q.Key)
	if q.Client != nil {
		q.streamRows()
	}
}

//go:noinline
func (q *Query) streamRows() {
	q.Client <- "row " + q.Key
}

var names = []string{"checkout", "refund", "payroll", "audit", "transfer", "report", "restock", "signup"}

// plan builds n transactions in groups of three: the head holds its row and
// streams to a stuck client; the second holds its own row and waits for the
// head's; the third holds nothing and waits for the second's row. A
// trailing group of one or two is the start of such a chain.
func plan(n int) []*Txn {
	txns := make([]*Txn, n)
	for i := range txns {
		txn := &Txn{
			ID:    i + 1,
			Name:  fmt.Sprintf("%s-%d", names[i%len(names)], i+1),
			Start: time.Date(2024, 5, 6, 7, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
		}
		head := i - i%3
		own, prev := row(i), row(i-1)
		switch i - head {
		case 0:
			txn.Queries = []*Query{{
				SQL:    fmt.Sprintf("SELECT * FROM accounts WHERE id = %d FOR UPDATE", 100+i),
				Key:    own,
				Client: make(chan string),
			}}
		case 1:
			txn.Queries = []*Query{
				{SQL: fmt.Sprintf("UPDATE accounts SET balance = balance - 100 WHERE id = %d", 100+i), Key: own},
				{SQL: fmt.Sprintf("UPDATE accounts SET balance = balance + 100 WHERE id = %d", 100+i-1), Key: prev},
			}
		case 2:
			txn.Queries = []*Query{
				{SQL: fmt.Sprintf("UPDATE accounts SET frozen = true WHERE id = %d", 100+i-1), Key: prev},
			}
		}
		for _, q := range txn.Queries {
			q.Txn = txn
		}
		txns[i] = txn
	}
	return txns
}

// row is the lock key of the row that the i-th transaction owns.
func row(i int) string { return fmt.Sprintf("accounts/%d", 100+i) }

// stuck says whether txn has reached its last query and either waits for a
// lock or holds the one that query asked for. The caller holds t.mu.
func (t *LockTable) stuck(txn *Txn) bool {
	if txn.WaitingFor != nil {
		return true
	}
	l := t.locks[txn.Queries[len(txn.Queries)-1].Key]
	return l != nil && l.Holder == txn
}

// settle polls until done, checked under the table's lock, holds.
func (t *LockTable) settle(done func() bool) {
	for {
		t.mu.Lock()
		ok := done()
		t.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// txnState is one entry of the -oracle file.
type txnState struct {
	ID        int       `json:"id"`
	Name      string    `json:"name"`
	Start     time.Time `json:"start"`
	Query     string    `json:"query"`
	Holds     *string   `json:"holds"`
	WaitsFor  *string   `json:"waits_for"`
	BlockedBy *int      `json:"blocked_by"`
}

// snapshot reads every transaction's state from the table.
func (t *LockTable) snapshot(txns []*Txn) []txnState {
	t.mu.Lock()
	defer t.mu.Unlock()
	states := make([]txnState, len(txns))
	for i, txn := range txns {
		s := txnState{ID: txn.ID, Name: txn.Name, Start: txn.Start, Query: txn.Current.SQL}
		if len(txn.Holds) > 1 {
			log.Fatalf("txn %d holds %d locks", txn.ID, len(txn.Holds))
		}
		if len(txn.Holds) == 1 {
			s.Holds = &txn.Holds[0].Key
		}
		if l := txn.WaitingFor; l != nil {
			s.WaitsFor, s.BlockedBy = &l.Key, &l.Holder.ID
		}
		states[i] = s
	}
	return states
}

func main() {
	n := flag.Int("txns", 10, "number of transactions")
	oracle := flag.String("oracle", "", "write the transactions' state as JSON to this file")
	flag.Parse()
	if *n < 1 {
		log.Fatal("-txns must be at least 1")
	}

	table := NewLockTable()
	txns := plan(*n)
	// Start the chains position by position, so that every lock is taken
	// by the transaction meant to hold it before anyone asks for it.
	for pos := range 3 {
		var started []*Txn
		for i := pos; i < len(txns); i += 3 {
			go txns[i].run(table)
			started = append(started, txns[i])
		}
		table.settle(func() bool {
			for _, txn := range started {
				if !table.stuck(txn) {
					return false
				}
			}
			return true
		})
	}
	// The last step of each goroutine (Cond.Wait or the channel send) comes
	// right after the state that settle saw; give it a moment to park.
	time.Sleep(50 * time.Millisecond)

	if *oracle != "" {
		if err := fixture.WriteJSON(*oracle, table.snapshot(txns)); err != nil {
			log.Fatal(err)
		}
	}
	fixture.Ready()
	fixture.AwaitTermination()
}
