// Package model is dmsc's dialect-neutral relational model: schemas, tables,
// columns, keys, foreign keys, unique constraints, indexes and abstract
// union views, plus the mapping metadata (JSON scopes and paths, reference
// and descriptor edge sources, identity sources) that the runtime manifest
// is built from.
//
// A Model is produced by the compiler for one dialect's identifier rules
// (names are physical: already shortened); the ddl and manifest packages
// only render it. Slices are always in a deterministic order.
package model
