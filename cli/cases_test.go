package cli

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestCases runs `dmsc ddl emit` for every testdata/cases/<case> and
// compares the output directory with the case's expected/ directory.
func TestCases(t *testing.T) {
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "cases")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"ddl", "emit", "-q", "-o", out}, caseInputs(t, dir)...)
			mustCode(t, runCLI(t, args...), ExitOK)
			got := map[string][]byte{}
			files, err := os.ReadDir(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				data, err := os.ReadFile(filepath.Join(out, f.Name()))
				if err != nil {
					t.Fatal(err)
				}
				got[f.Name()] = data
			}
			golden.AssertDir(t, filepath.Join(dir, "expected"), got)
		})
	}
}

// caseInputs returns -s flags for the case's inputs/*.json in name order
// (none for the built-in example).
func caseInputs(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "inputs", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var args []string
	for _, f := range files {
		args = append(args, "-s", f)
	}
	return args
}
