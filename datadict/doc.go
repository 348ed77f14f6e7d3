// Package datadict generates a static data dictionary of a compiled schema
// set: for one dialect, every resource's tables, columns, types,
// nullability, keys, foreign keys, the JSON path each column stores and the
// ApiSchema descriptions of resources and properties.
//
// Generate returns the files of an output directory:
//
//	index.html          the schema set, its projects and every resource
//	<project>.html      one page per project (tables, columns, constraints)
//	<project>.md        one Mermaid erDiagram per resource, which GitHub renders
//
// The HTML needs no external asset and no script (CSS is inline), so the
// pages work offline. Every text taken from the schema set is escaped.
// Output is deterministic: lists are sorted explicitly and no map is ranged
// over while producing output, so the same schema set, with its files in
// any order, gives byte-identical files.
package datadict
