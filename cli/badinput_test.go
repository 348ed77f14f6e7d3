package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestBadInput runs every case of testdata/bad (see its README) and
// compares the exit code and stderr with the case's expected.golden. Each
// case must fail with exit code 1 or 2.
func TestBadInput(t *testing.T) {
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "bad")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(root, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			args := caseArgs(t, dir)
			t.Chdir(dir)
			r := runCLI(t, args...)
			if r.code != ExitFailure && r.code != ExitUsage {
				t.Errorf("exit code %d, want 1 or 2\nstderr:\n%s", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("a failing command wrote to stdout: %q", r.stdout)
			}
			got := fmt.Sprintf("$ dmsc %s\nexit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
			golden.AssertFile(t, dir, "expected.golden", []byte(got))
		})
	}
	if n < 25 {
		t.Errorf("the corpus has %d cases; keep at least 25", n)
	}
}

// caseArgs reads the case's args file, or builds `model -s` over its JSON
// files in name order.
func caseArgs(t *testing.T, dir string) []string {
	t.Helper()
	if data, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
		return strings.Fields(string(data))
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	args := []string{"model"}
	for _, f := range files {
		args = append(args, "-s", filepath.Base(f))
	}
	return args
}
