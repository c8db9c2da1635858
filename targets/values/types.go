package main

import "fmt"

// The struct types below are laid out to exercise a DWARF reader: mixed
// field sizes with padding, nesting, slices and arrays inside structs,
// self-reference and generics. Fields are exported so that encoding/json
// can write them to the oracle under their Go (and DWARF) names.

type Point struct {
	X, Y int
}

type Address struct {
	Street string
	City   string
	Zip    uint32
}

type Employee struct {
	Name    string
	Age     uint8 // followed by 7 bytes of padding
	Salary  float64
	Address Address
	Tags    []string
	Scores  [3]int16
	Active  bool
}

// Node forms a singly linked list.
type Node struct {
	Value int
	Next  *Node
}

// Peer forms a cycle: two peers pointing at each other.
type Peer struct {
	Name  string
	Other *Peer
}

// QueryError is the dynamic type behind the error values.
type QueryError struct {
	Query string
	Code  int
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("query %q failed with code %d", e.Query, e.Code)
}

// Celsius is the dynamic type behind the fmt.Stringer value.
type Celsius float64

func (c Celsius) String() string { return fmt.Sprintf("%.1f°C", float64(c)) }

// Box is instantiated as Box[int] and Box[string].
type Box[T any] struct {
	Value T
	Label string
	Count int32
}
