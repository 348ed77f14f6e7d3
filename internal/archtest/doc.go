// Package archtest holds the tests that keep each package to its job (see
// docs/architecture.md): what the runtime, the compiler and the server may
// depend on, and that the CLI holds no SQL. It has no code of its own.
package archtest
