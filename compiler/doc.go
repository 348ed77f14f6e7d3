// Package compiler derives dmsc's relational model from a validated
// apischema.Set: one root table per resource, child tables per collection,
// extension tables, reference and descriptor FK columns with their edge
// sources, natural keys, array uniqueness constraints, indexes and abstract
// union views, named per dialect. It never writes files.
//
// The pipeline is input (apischema) → catalog IR (model) → emitted text
// (ddl, manifest), as in sqlc.
package compiler
