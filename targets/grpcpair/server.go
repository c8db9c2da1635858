package main

import (
	"cmp"
	"context"
	"log"
	"net"
	"slices"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"loupe.test/targets/internal/fixture"
)

type server struct {
	oracle string // rewritten whenever the set of parked calls changes

	mu     sync.Mutex
	parked map[string]ParkRequest // by request id
}

// Park blocks until the client cancels the call or goes away.
//
//go:noinline
func (s *server) Park(ctx context.Context, req *ParkRequest) (*ParkReply, error) {
	s.update(func() { s.parked[req.RequestID] = *req })
	<-ctx.Done()
	s.update(func() { delete(s.parked, req.RequestID) })
	return nil, status.FromContextError(ctx.Err()).Err()
}

func (s *server) Inflight(context.Context, *InflightRequest) (*InflightReply, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &InflightReply{Requests: s.list()}, nil
}

// update changes the set of parked calls and rewrites the oracle before
// Inflight can report the change.
func (s *server) update(change func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change()
	if s.oracle == "" {
		return
	}
	if err := fixture.WriteJSON(s.oracle, s.list()); err != nil {
		log.Fatal(err)
	}
}

// list returns the parked calls sorted by request id. The caller holds s.mu.
func (s *server) list() []ParkRequest {
	reqs := make([]ParkRequest, 0, len(s.parked))
	for _, r := range s.parked {
		reqs = append(reqs, r)
	}
	slices.SortFunc(reqs, func(a, b ParkRequest) int { return cmp.Compare(a.RequestID, b.RequestID) })
	return reqs
}

func runServer(oracle string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	s := &server{oracle: oracle, parked: map[string]ParkRequest{}}
	// Write an empty oracle so that the file exists from the start.
	s.update(func() {})
	gs := grpc.NewServer()
	gs.RegisterService(&parkerDesc, s)
	go gs.Serve(ln)
	fixture.Say("listening %s", ln.Addr())
	fixture.Ready()
	// Returning stops the process without waiting for the parked calls.
	fixture.AwaitTermination()
}
