package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestMain hides the caller's DMSC_<flag> and DMSC_CONFIG variables, so that
// only the variables a test sets itself (with t.Setenv) reach the commands.
// Variables that stand for no flag, such as DMSC_PG_DSN and DMSC_FIXTURES,
// stay.
func TestMain(m *testing.M) {
	names := flagNames(newRootCmd(&env{v: newViper()}))
	names[configFlag] = true
	for name := range names {
		os.Unsetenv(envName(name))
	}
	os.Exit(m.Run())
}

// result is what one in-process invocation of dmsc produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs dmsc in-process with args and an empty stdin.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(t.Context(), args, strings.NewReader(""), &out, &errOut)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// withCommand registers an extra top-level command for the duration of the
// test.
func withCommand(t *testing.T, newCmd func(*env) *cobra.Command) {
	t.Helper()
	saved := commands
	commands = append(append([]func(*env) *cobra.Command(nil), saved...), newCmd)
	t.Cleanup(func() { commands = saved })
}

// mustCode fails the test when r did not exit with want, showing its output.
func mustCode(t *testing.T, r result, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
	}
}

// exampleSchema are the -s flags naming the built-in example schema set's
// files (absolute: some tests change directory), for the commands that no
// longer fall back to it.
var exampleSchema = []string{"-s", absPath("../example/example-core.json"), "-s", absPath("../example/example-extra.json")}

// absPath is filepath.Abs of a path relative to the package directory,
// the working directory when the test binary starts.
func absPath(rel string) string {
	p, err := filepath.Abs(rel)
	if err != nil {
		return rel
	}
	return p
}

// withExample returns args followed by exampleSchema.
func withExample(args ...string) []string { return append(args, exampleSchema...) }
