// Package runtime is the home of dmsc's runtime library: given only a
// runtime mapping manifest (package manifest) and a database connection, it
// stores Ed-Fi JSON documents relationally and read them back
// (spec/40-runtime.md). Its import rule:
// its import rule is enforced from the start: runtime imports the manifest
// packages and database drivers only — never the compiler, the dialects or
// the CLI (see imports_test.go).
package runtime
