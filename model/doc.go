// Package model is dmsc's relational model: schemas, tables,
// columns, keys, foreign keys, unique constraints, indexes and abstract
// union views, plus the mapping metadata (JSON scopes and paths, reference
// and descriptor edge sources, identity sources) that the runtime manifest
// is built from.
//
// The structure is the same for every dialect, but a Model is produced by
// the compiler once per dialect, because names are physical (already
// shortened to that dialect's identifier limit; see Model.Dialect). The ddl
// package and compiler.Manifest only render a Model. Slices are always in
// a deterministic order.
package model
