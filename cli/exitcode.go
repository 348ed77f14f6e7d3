package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/edfi-dmsc/dmsc/diag"
)

// Exit codes of the dmsc command.
const (
	// ExitOK means the command succeeded.
	ExitOK = 0
	// ExitFailure means the command failed or its input is invalid.
	ExitFailure = 1
	// ExitUsage means the command line (or a DMSC_* variable or config
	// setting standing in for a flag) is wrong.
	ExitUsage = 2
	// ExitFingerprintMismatch means a database was provisioned for another
	// schema set than the one given.
	ExitFingerprintMismatch = 3
)

// usageError marks an error caused by how dmsc was invoked; it exits with
// ExitUsage and a hint to use --help.
type usageError struct{ err error }

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

// usageErrorf returns a usage error (exit code 2) with a formatted message.
func usageErrorf(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// fingerprintMismatchError marks a refused provisioning: the database holds
// another effective schema than the one compiled.
type fingerprintMismatchError struct{ err error }

func (f *fingerprintMismatchError) Error() string { return f.err.Error() }
func (f *fingerprintMismatchError) Unwrap() error { return f.err }

// fingerprintMismatch wraps err so that dmsc exits with
// ExitFingerprintMismatch; the message should name both hashes.
func fingerprintMismatch(err error) error {
	if err == nil {
		return nil
	}
	return &fingerprintMismatchError{err: err}
}

// exitCoder lets an error from another package choose its exit code without
// importing cli.
type exitCoder interface{ ExitCode() int }

// commandError tags an error returned by a command's own code (RunE and the
// other hooks), as opposed to errors cobra raises while parsing the command
// line, which are all usage errors.
type commandError struct{ err error }

func (c *commandError) Error() string { return c.err.Error() }
func (c *commandError) Unwrap() error { return c.err }

// report prints err to stderr in the form that fits its kind and returns the
// exit code. hint names the command whose --help explains usage errors.
func report(stderr io.Writer, err error, hint string) int {
	if err == nil {
		return ExitOK
	}
	var cmdErr *commandError
	if !errors.As(err, &cmdErr) {
		// Raised by cobra itself: unknown command or flag, bad flag value,
		// wrong number of arguments, missing required flag.
		err = &usageError{err: err}
	}
	var ue *usageError
	var fm *fingerprintMismatchError
	var ec exitCoder
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "dmsc: %s\nRun '%s --help' for usage.\n", oneLine(err.Error()), hint)
		return ExitUsage
	case errors.As(err, &fm):
		fmt.Fprintf(stderr, "dmsc: %s\n", err.Error())
		return ExitFingerprintMismatch
	}
	if items, ok := diag.AsErrors(err); ok {
		printDiagnostics(stderr, items)
		return ExitFailure
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "dmsc: interrupted")
		return ExitFailure
	}
	fmt.Fprintf(stderr, "dmsc: %s\n", err.Error())
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return ExitFailure
}

// oneLine keeps the first line of a message (cobra appends suggestions on
// further lines).
func oneLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
