// Package ddl renders the DDL script of a relational model for its dialect
// and provisions databases with it.
//
// Render turns a *model.Model into one deterministic, idempotent script
// (spec 30-ddl.md): a header, the fingerprint guard, schemas, the core dms
// tables, resource and extension tables with their keys inline, every
// foreign key as a guarded ALTER TABLE, indexes, the abstract union views
// (members before dependants) and the seed rows. The output is a pure
// function of the model. Statements, NormalizedSHA256 and Manifest describe
// scripts for ddl-manifest.json.
//
// Provision applies a script with a fingerprint preflight (same hash: no
// change; another hash: *MismatchError; empty database: apply in one
// transaction) and verifies the result with Verify.
package ddl
