package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/roundtrip"
)

func TestRoundtripText(t *testing.T) {
	rep := &roundtrip.Report{
		Loaded: 5, Equal: 4, Mismatched: 1, Rejected: 5,
		Resources: map[string]roundtrip.Counts{
			"example/schools":  {Loaded: 1, Equal: 1},
			"example/students": {Loaded: 4, Equal: 3, Mismatched: 1, Rejected: 3},
			"nope":             {Rejected: 1},
		},
		Order:      []string{"example/schools", "example/students", "nope"},
		Mismatches: []roundtrip.Mismatch{{File: "example/students/004.json", Diff: []string{`$.name: want "d", got "tampered"`}}},
		Rejections: []roundtrip.Rejection{{File: "nope", Error: "not a project endpoint of the schema set (projects: example, extra)"}},
		Pruned:     map[string][]string{"example/students/005.json": {"$.extra"}},
	}
	var text strings.Builder
	if err := writeRoundtripText(&text, rep); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"resource          loaded   equal  mismatched  rejected\n",
		"example/students       4       3           1         3\n",
		"total                  5       4           1         5\n",
		"mismatch: example/students/004.json\n  $.name: want \"d\", got \"tampered\"\n",
		"rejected: nope: not a project endpoint",
		"pruned: example/students/005.json: $.extra\n",
	} {
		if !strings.Contains(text.String(), line) {
			t.Errorf("text output lacks %q:\n%s", line, text.String())
		}
	}
}

func TestRoundtripBadDirectory(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	r := runCLI(t, "roundtrip", "--dsn", "postgres://127.0.0.1:1/none", missing)
	mustCode(t, r, ExitFailure)
	if want := fmt.Sprintf("dmsc: %s: not a directory", missing); !strings.HasPrefix(r.stderr, want) {
		t.Errorf("stderr %q, want it to start with %q", r.stderr, want)
	}
	r = runCLI(t, "roundtrip", t.TempDir())
	mustCode(t, r, ExitUsage)
	r = runCLI(t, "roundtrip", "--dsn", "x")
	mustCode(t, r, ExitUsage)
}

// writeRoundtripDocs writes files (path relative to dir → content) below dir.
func writeRoundtripDocs(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
