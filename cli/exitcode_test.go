package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/diag"
)

// codeError chooses its own exit code.
type codeError struct{}

func (codeError) Error() string { return "custom" }
func (codeError) ExitCode() int { return 7 }

func TestReport(t *testing.T) {
	var list diag.List
	list.Errorf("core.json", "$.projectSchema", "missing-key", "projectName is required")
	list.Warnf("core.json", "$.a", "fallback", "used a default")
	list.Errorf("", "", "no-core", "no core project")
	cases := []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"nil", nil, ExitOK, ""},
		{"plain", errors.New("boom"), ExitFailure, "dmsc: boom\n"},
		{"diagnostics", fmt.Errorf("load: %w", list.Err()), ExitFailure,
			"no-core: no core project\ncore.json:$.projectSchema: missing-key: projectName is required\n"},
		{"fingerprint", fingerprintMismatch(errors.New("database has abc, schema is def")), ExitFingerprintMismatch,
			"dmsc: database has abc, schema is def\n"},
		{"usage", usageErrorf("need -s"), ExitUsage, "dmsc: need -s\nRun 'dmsc x --help' for usage.\n"},
		{"canceled", fmt.Errorf("write: %w", context.Canceled), ExitFailure, "dmsc: interrupted\n"},
		{"exit coder", fmt.Errorf("wrapped: %w", codeError{}), 7, "dmsc: wrapped: custom\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := c.err
			if err != nil {
				err = &commandError{err: err}
			}
			if got := report(&buf, err, "dmsc x"); got != c.code {
				t.Errorf("code %d, want %d", got, c.code)
			}
			if buf.String() != c.stderr {
				t.Errorf("stderr:\n%q\nwant:\n%q", buf.String(), c.stderr)
			}
		})
	}
	if fingerprintMismatch(nil) != nil {
		t.Error("fingerprintMismatch(nil) != nil")
	}
}

// TestCommandErrors checks errors returned by a command's RunE end to end.
func TestCommandErrors(t *testing.T) {
	var list diag.List
	list.Errorf("ext.json", "$.x", "bad-thing", "is bad")
	errs := map[string]error{
		"fail":  errors.New("cannot connect"),
		"diag":  list.Err(),
		"fp":    fingerprintMismatch(errors.New("mismatch")),
		"usage": usageErrorf("give -s or --against"),
	}
	var which string
	withCommand(t, func(e *env) *cobra.Command {
		return &cobra.Command{Use: "fail", Args: cobra.ExactArgs(1), RunE: func(_ *cobra.Command, args []string) error {
			which = args[0]
			return errs[args[0]]
		}}
	})
	for arg, want := range map[string]struct {
		code   int
		stderr string
	}{
		"fail":  {ExitFailure, "dmsc: cannot connect\n"},
		"diag":  {ExitFailure, "ext.json:$.x: bad-thing: is bad\n"},
		"fp":    {ExitFingerprintMismatch, "dmsc: mismatch\n"},
		"usage": {ExitUsage, "dmsc: give -s or --against\nRun 'dmsc fail --help' for usage.\n"},
	} {
		r := runCLI(t, "fail", arg)
		if which != arg {
			t.Fatalf("command did not run for %s", arg)
		}
		mustCode(t, r, want.code)
		if r.stderr != want.stderr {
			t.Errorf("%s: stderr %q, want %q", arg, r.stderr, want.stderr)
		}
	}
}

func TestPrintDiagnostics(t *testing.T) {
	var list diag.List
	list.Warnf("b.json", "$.z", "w-code", "careful")
	list.Warnf("a.json", "", "w-code", "first")
	var buf bytes.Buffer
	printDiagnostics(&buf, list.Warnings())
	want := "a.json: warning: w-code: first\nb.json:$.z: warning: w-code: careful\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestContextReachesCommands(t *testing.T) {
	withCommand(t, func(e *env) *cobra.Command {
		return &cobra.Command{Use: "wait", RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Context() != e.ctx {
				return errors.New("cmd.Context() is not the invocation's context")
			}
			<-e.ctx.Done()
			return e.ctx.Err()
		}}
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	if code := Run(ctx, []string{"wait"}, nil, &out, &errOut); code != ExitFailure || errOut.String() != "dmsc: interrupted\n" {
		t.Errorf("code %d, stderr %q", code, errOut.String())
	}
}
