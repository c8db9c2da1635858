package main

import (
	"reflect"
	"sync"
	"time"
	"unsafe"
)

// typeLayout is one entry of the -layout file. reflect reports the same
// numbers as unsafe.Sizeof, unsafe.Alignof and unsafe.Offsetof, and also
// for unexported fields of other packages' types.
type typeLayout struct {
	Kind   string        `json:"kind"`
	Size   uintptr       `json:"size"`
	Align  int           `json:"align"`
	Fields []fieldLayout `json:"fields,omitempty"`
}

type fieldLayout struct {
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Offset uintptr `json:"offset"`
	Size   uintptr `json:"size"`
}

// layoutRoots are the types whose struct types (reached through fields,
// pointers, slices, arrays, maps and channels) go into the -layout file:
// the parameters of the park functions, the struct locals, the dynamic
// types stored in interfaces, and a few standard library types a debugger
// cares about.
func layoutRoots() []reflect.Type {
	var roots []reflect.Type
	for _, fn := range []any{parkScalars, parkStrings, parkComposites, parkPointers,
		parkInterfaces, parkMaps, parkChannels, parkTime, parkFuncs} {
		t := reflect.TypeOf(fn)
		for i := range t.NumIn() {
			roots = append(roots, t.In(i))
		}
	}
	// parkGeneric is left out above: a func value of an instantiation would
	// add a wrapper function to the binary.
	return append(roots,
		reflect.TypeFor[time.Time](), reflect.TypeFor[Box[int]](), reflect.TypeFor[Box[string]](),
		reflect.TypeFor[*QueryError](), reflect.TypeFor[Celsius](),
		reflect.TypeFor[sync.Mutex](), reflect.TypeFor[sync.RWMutex](),
		reflect.TypeFor[sync.WaitGroup](), reflect.TypeFor[sync.Cond]())
}

// headerSizes are the sizes of the built-in kinds whose in-memory headers a
// debugger decodes: string and slice headers, the two interface forms, and
// the pointer-sized map, channel and func values.
var headerSizes = map[string]typeLayout{
	"string":         {Kind: "string", Size: unsafe.Sizeof(""), Align: int(unsafe.Alignof(""))},
	"[]uint8":        {Kind: "slice", Size: unsafe.Sizeof([]byte(nil)), Align: int(unsafe.Alignof([]byte(nil)))},
	"interface {}":   {Kind: "interface", Size: unsafe.Sizeof(any(nil)), Align: int(unsafe.Alignof(any(nil)))},
	"error":          {Kind: "interface", Size: unsafe.Sizeof(error(nil)), Align: int(unsafe.Alignof(error(nil)))},
	"map[string]int": {Kind: "map", Size: unsafe.Sizeof(map[string]int(nil)), Align: int(unsafe.Alignof(map[string]int(nil)))},
	"chan int":       {Kind: "chan", Size: unsafe.Sizeof((chan int)(nil)), Align: int(unsafe.Alignof((chan int)(nil)))},
	"func()":         {Kind: "func", Size: unsafe.Sizeof((func())(nil)), Align: int(unsafe.Alignof((func())(nil)))},
	"unsafe.Pointer": {Kind: "unsafe.Pointer", Size: unsafe.Sizeof(unsafe.Pointer(nil)), Align: int(unsafe.Alignof(unsafe.Pointer(nil)))},
	"complex128":     {Kind: "complex128", Size: unsafe.Sizeof(complex128(0)), Align: int(unsafe.Alignof(complex128(0)))},
	"time.Duration":  {Kind: "int64", Size: unsafe.Sizeof(time.Duration(0)), Align: int(unsafe.Alignof(time.Duration(0)))},
}

// layouts returns the -layout document: every struct type reachable from
// layoutRoots plus headerSizes, keyed by type name.
func layouts() map[string]typeLayout {
	out := make(map[string]typeLayout, len(headerSizes))
	for name, l := range headerSizes {
		out[name] = l
	}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
			walk(t.Elem())
		case reflect.Map:
			walk(t.Key())
			walk(t.Elem())
		case reflect.Struct:
			l := typeLayout{Kind: "struct", Size: t.Size(), Align: t.Align(), Fields: []fieldLayout{}}
			for i := range t.NumField() {
				f := t.Field(i)
				l.Fields = append(l.Fields, fieldLayout{
					Name: f.Name, Type: typeName(f.Type), Offset: f.Offset, Size: f.Type.Size(),
				})
				walk(f.Type)
			}
			out[typeName(t)] = l
		}
	}
	for _, t := range layoutRoots() {
		walk(t)
	}
	return out
}

// typeName names a type the way DWARF does: named types by their full
// package path ("internal/sync.Mutex", not reflect's "sync.Mutex"), others
// as reflect spells them.
func typeName(t reflect.Type) string {
	if t.Name() != "" && t.PkgPath() != "" {
		return t.PkgPath() + "." + t.Name()
	}
	return t.String()
}
