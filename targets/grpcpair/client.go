package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"loupe.test/targets/internal/fixture"
)

var users = []string{"alice", "bob", "carol", "dave", "erin"}

// park makes one call and waits for a reply that never comes.
//
//go:noinline
func park(conn *grpc.ClientConn, req *ParkRequest) {
	var reply ParkReply
	err := conn.Invoke(context.Background(), parkMethod, req, &reply)
	log.Printf("call %s ended: %v", req.RequestID, err)
}

// awaitParked polls the server until it reports every call in reqs parked.
func awaitParked(conn *grpc.ClientConn, reqs []ParkRequest) error {
	for {
		var reply InflightReply
		if err := conn.Invoke(context.Background(), inflightMethod, &InflightRequest{}, &reply); err != nil {
			return err
		}
		parked := make(map[ParkRequest]bool, len(reply.Requests))
		for _, r := range reply.Requests {
			parked[r] = true
		}
		missing := 0
		for _, r := range reqs {
			if !parked[r] {
				missing++
			}
		}
		if missing == 0 {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func runClient(addr string, n int, oracle string) {
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.CallContentSubtype(jsonCodec{}.Name())))
	if err != nil {
		log.Fatal(err)
	}
	reqs := make([]ParkRequest, n)
	for i := range reqs {
		reqs[i] = ParkRequest{RequestID: fmt.Sprintf("req-%04d", i), User: users[i%len(users)]}
		go park(conn, &reqs[i])
	}
	if err := awaitParked(conn, reqs); err != nil {
		log.Fatal(err)
	}
	if oracle != "" {
		if err := fixture.WriteJSON(oracle, reqs); err != nil {
			log.Fatal(err)
		}
	}
	fixture.Ready()
	fixture.AwaitTermination()
}
