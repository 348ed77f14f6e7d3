// Package archtest holds the tests that keep each package to its job (see
// docs/architecture.md): what the runtime, the compiler and the server may
// depend on, that the CLI holds no SQL, and that every test binary accepts
// -update. It has no code of its own.
package archtest
