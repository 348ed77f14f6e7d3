// Package example embeds dmsc's built-in example schema set: a small school
// data standard ("Example", endpoint `example`) and an extension project
// ("Extra", endpoint `extra`), written for dmsc's README, tests and
// `dmsc ddl emit` without -s. It exercises every mapping feature: a
// descriptor, a school-year enumeration, an abstract resource with two
// subclasses, identity references (concrete, abstract and descriptor),
// collections nested two deep, inlined objects, an array of scalars,
// decimals, dates, times, date-times, int64, array uniqueness constraints
// (nested too), a collection name override, and extension tables at the
// root, inside a collection and below the extension.
package example

import (
	_ "embed"
)

//go:embed example-core.json
var core []byte

//go:embed example-extra.json
var extra []byte

// File is one embedded ApiSchema file.
type File struct {
	// Name is how diagnostics and manifests name the file.
	Name string
	// Data is the file content.
	Data []byte
}

// Files returns the example schema set, core first.
func Files() []File {
	return []File{
		{Name: "example:example-core.json", Data: append([]byte(nil), core...)},
		{Name: "example:example-extra.json", Data: append([]byte(nil), extra...)},
	}
}
