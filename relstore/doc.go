// Package runtime is dmsc's runtime library: given only a runtime mapping
// manifest (package manifest) and a PostgreSQL pool, it stores Ed-Fi JSON
// documents relationally and reads them back (docs/runtime.md).
//
// Import rule: runtime imports the manifest packages and database drivers
// only — never the compiler, the dialects or the CLI (see imports_test.go).
package relstore
