package main

import (
	"context"
	"encoding/json"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
)

// The Parker service is declared by hand, without protoc: plain structs
// travel as JSON through a codec registered under the content-subtype
// "json" (the wire content-type is application/grpc+json).

// ParkRequest identifies one call, so that a debugger can link the client
// goroutine that waits for it with the server goroutine that handles it.
type ParkRequest struct {
	RequestID string `json:"request_id"`
	User      string `json:"user"`
}

type ParkReply struct {
	RequestID string `json:"request_id"`
}

type InflightRequest struct{}

// InflightReply lists the calls whose server handler is parked.
type InflightReply struct {
	Requests []ParkRequest `json:"requests"`
}

const (
	parkMethod     = "/loupe.test.Parker/Park"
	inflightMethod = "/loupe.test.Parker/Inflight"
)

type jsonCodec struct{}

func (jsonCodec) Name() string                       { return "json" }
func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func init() { encoding.RegisterCodec(jsonCodec{}) }

// parker is the service implementation's interface.
type parker interface {
	// Park blocks until the call is cancelled.
	Park(context.Context, *ParkRequest) (*ParkReply, error)
	// Inflight reports the calls currently parked.
	Inflight(context.Context, *InflightRequest) (*InflightReply, error)
}

// parkerDesc plays the part of protoc's generated code.
var parkerDesc = grpc.ServiceDesc{
	ServiceName: "loupe.test.Parker",
	HandlerType: (*parker)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Park", Handler: parkHandler},
		{MethodName: "Inflight", Handler: inflightHandler},
	},
}

// The method handlers decode the request and call the implementation. No
// interceptors are installed, so they ignore the interceptor argument.

func parkHandler(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	req := new(ParkRequest)
	if err := dec(req); err != nil {
		return nil, err
	}
	return srv.(parker).Park(ctx, req)
}

func inflightHandler(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	req := new(InflightRequest)
	if err := dec(req); err != nil {
		return nil, err
	}
	return srv.(parker).Inflight(ctx, req)
}
