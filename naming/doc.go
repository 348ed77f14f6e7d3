// Package naming turns ApiSchema names into physical SQL identifiers the way
// upstream Ed-Fi DMS does: PascalCase columns, singular collection tables,
// lowercase project schemas, and deterministic shortening of identifiers
// that exceed a dialect's limit (a prefix plus a SHA-256 suffix).
//
// Every function is pure; equal inputs give equal names on every run.
package naming
