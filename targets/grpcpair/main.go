// Command grpcpair is both ends of a gRPC conversation in which N unary
// calls stay in flight: the server's handlers block until their call is
// cancelled. Run it twice, once with -mode server and once with -mode
// client -addr <the server's address>; each request carries a request id
// and a user, so that a debugger can link client and server goroutines.
package main

import (
	"flag"
	"log"
)

func main() {
	mode := flag.String("mode", "", "server or client")
	addr := flag.String("addr", "", "client: the server's address")
	n := flag.Int("n", 10, "client: number of calls kept in flight")
	oracle := flag.String("oracle", "", "write the in-flight calls as JSON to this file")
	flag.Parse()

	switch *mode {
	case "server":
		runServer(*oracle)
	case "client":
		if *addr == "" || *n < 1 {
			log.Fatal("client mode needs -addr and -n >= 1")
		}
		runClient(*addr, *n, *oracle)
	default:
		log.Fatal("-mode must be server or client")
	}
}
