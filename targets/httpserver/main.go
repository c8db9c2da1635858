// Command httpserver runs a net/http server and an in-process client that
// keeps N requests in flight against it; every handler blocks until the
// process exits. A debugger can then match each server handler goroutine
// with the client goroutine waiting for its response.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"

	"loupe.test/targets/internal/fixture"
)

// request is one in-flight request as the server handler sees it.
type request struct {
	Path       string `json:"path"`
	Method     string `json:"method"`
	RemoteAddr string `json:"remote_addr"` // the client side's local address
}

type server struct {
	mu      sync.Mutex
	arrived map[string]request // by path
	changed chan struct{}      // signalled after each arrival
	release chan struct{}      // handlers wait on it; never closed
}

func newServer() *server {
	return &server{
		arrived: map[string]request{},
		changed: make(chan struct{}, 1),
		release: make(chan struct{}),
	}
}

//go:noinline
func (s *server) handleSlow(w http.ResponseWriter, r *http.Request) {
	s.park(w, r)
}

//go:noinline
func (s *server) handleItem(w http.ResponseWriter, r *http.Request) {
	s.park(w, r)
}

// park records the request and blocks until the process exits, or until
// the client goes away so that the handler does not leak.
//
//go:noinline
func (s *server) park(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.arrived[r.URL.Path] = request{Path: r.URL.Path, Method: r.Method, RemoteAddr: r.RemoteAddr}
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default: // a signal is already pending
	}
	select {
	case <-s.release:
	case <-r.Context().Done():
	}
	w.WriteHeader(http.StatusNoContent)
}

// await blocks until every path in paths has arrived and returns the
// requests in the order of paths.
func (s *server) await(paths []string) []request {
	for {
		s.mu.Lock()
		reqs := make([]request, 0, len(paths))
		for _, p := range paths {
			if r, ok := s.arrived[p]; ok {
				reqs = append(reqs, r)
			}
		}
		s.mu.Unlock()
		if len(reqs) == len(paths) {
			return reqs
		}
		<-s.changed
	}
}

// send issues one request and waits for a response that never comes.
//
//go:noinline
func send(client *http.Client, req *http.Request) {
	resp, err := client.Do(req)
	if err != nil {
		log.Printf("%s %s: %v", req.Method, req.URL.Path, err)
		return
	}
	resp.Body.Close()
}

func main() {
	n := flag.Int("n", 50, "number of requests kept in flight")
	oracle := flag.String("oracle", "", "write the in-flight requests as JSON to this file")
	flag.Parse()
	if *n < 1 {
		log.Fatal("-n must be at least 1")
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fixture.Say("listening %s", ln.Addr())
	srv := newServer()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /slow/{id}", srv.handleSlow)
	mux.HandleFunc("POST /api/items/{id}", srv.handleItem)
	// No timeouts: the handlers are meant to stay put.
	go (&http.Server{Handler: mux}).Serve(ln)
	base := "http://" + ln.Addr().String()

	// A client of its own: no proxy from the environment, and no limit on
	// connections, since each HTTP/1.1 request in flight needs one.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *n}}
	paths := make([]string, *n)
	for i := range paths {
		var req *http.Request
		if i%2 == 0 {
			paths[i] = fmt.Sprintf("/slow/%d", i)
			req, err = http.NewRequest(http.MethodGet, base+paths[i], nil)
		} else {
			paths[i] = fmt.Sprintf("/api/items/%d", i)
			req, err = http.NewRequest(http.MethodPost, base+paths[i],
				strings.NewReader(fmt.Sprintf(`{"id":%d}`, i)))
		}
		if err != nil {
			log.Fatal(err)
		}
		go send(client, req)
	}
	reqs := srv.await(paths)

	if *oracle != "" {
		if err := fixture.WriteJSON(*oracle, reqs); err != nil {
			log.Fatal(err)
		}
	}
	fixture.Ready()
	fixture.AwaitTermination()
}
