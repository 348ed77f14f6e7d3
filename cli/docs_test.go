package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/datadict"
	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// docsInto runs dmsc docs -q into a fresh directory and returns it.
func docsInto(t *testing.T, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "dict")
	mustCode(t, runCLI(t, append([]string{"docs", "-q", "-o", out}, args...)...), ExitOK)
	return out
}

// TestDocsExample: without -s, dmsc docs writes exactly the example's
// dictionary that package datadict's golden files hold (rewrite those with
// go test ./datadict -update).
func TestDocsExample(t *testing.T) {
	out := docsInto(t)
	want := filepath.Join(testenv.RepoRoot(t), "datadict", "testdata", "example-pgsql")
	got := readTree(t, out)
	wantTree := readTree(t, want)
	if len(got) != len(wantTree) {
		t.Errorf("dmsc docs wrote %d files, the golden directory %s holds %d", len(got), want, len(wantTree))
	}
	for name, data := range wantTree {
		if string(got[name]) != string(data) {
			t.Errorf("%s differs from %s", name, filepath.Join(want, name))
		}
	}
}

// TestDocsJSONSummary (golden): --format json prints what was written.
func TestDocsJSONSummary(t *testing.T) {
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	r := runCLI(t, "docs", "-q", "-o", "dict", "--format", "json")
	mustCode(t, r, ExitOK)
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
	golden.AssertFile(t, testdata, "docs-example-summary.golden", []byte(r.stdout))
}

// TestDocsText: without --format json, each written file is named on
// stderr and stdout stays empty.
func TestDocsText(t *testing.T) {
	out := filepath.Join(t.TempDir(), "dict")
	r := runCLI(t, "docs", "-q", "-o", out)
	mustCode(t, r, ExitOK)
	if r.stdout != "" {
		t.Errorf("stdout: %s", r.stdout)
	}
	for _, name := range []string{"index.html", "example.html", "example.md", "extra.html", "extra.md"} {
		if !strings.Contains(r.stderr, "wrote "+filepath.Join(out, name)+" (") {
			t.Errorf("stderr does not name %s:\n%s", name, r.stderr)
		}
	}
}

// TestDocsMSSQL: --dialect mssql shows SQL Server's types.
func TestDocsMSSQL(t *testing.T) {
	out := docsInto(t, "--dialect", "mssql")
	page, err := os.ReadFile(filepath.Join(out, "example.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), ">nvarchar(75)<") {
		t.Error("example.html for mssql does not show nvarchar(75)")
	}
}

// TestDocsUsage: -o is required and --dialect must name a dialect.
func TestDocsUsage(t *testing.T) {
	mustCode(t, runCLI(t, "docs", "-q"), ExitUsage)
	mustCode(t, runCLI(t, "docs", "-q", "-o", t.TempDir(), "--dialect", "oracle"), ExitUsage)
}

// TestDocsRefusesNonEmpty: an existing dictionary is not replaced without
// --force, and nothing changes.
func TestDocsRefusesNonEmpty(t *testing.T) {
	out := docsInto(t)
	before := readTree(t, out)
	r := runCLI(t, "docs", "-q", "-o", out)
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stderr, "--force") {
		t.Errorf("stderr does not mention --force: %s", r.stderr)
	}
	sameTree(t, out, before)
}

// TestDocsForceForeign (golden): --force into a directory that holds a
// dictionary plus files dmsc docs did not write — a note, a subdirectory,
// an HTML page without the marker — is refused, naming them, and nothing
// changes.
func TestDocsForceForeign(t *testing.T) {
	out := docsInto(t)
	for name, data := range map[string]string{
		"notes.txt":   "my notes\n",
		"mine.html":   "<!DOCTYPE html>\n<p>my own page</p>\n",
		".git/HEAD":   "ref: refs/heads/main\n",
		"example.css": "body{}\n",
	} {
		path := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := readTree(t, out)
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(out))
	r := runCLI(t, "docs", "-q", "-o", "dict", "--force")
	golden.AssertFile(t, testdata, "docs-force-foreign.golden", []byte(fmt.Sprintf("$ dmsc docs -q -o dict --force\nexit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)))
	sameTree(t, out, before)
}

// TestDocsForceReplaces: --force replaces a previous dictionary, removes
// the page of a project no longer in the schema set and a temporary file
// an interrupted run left, and reports both.
func TestDocsForceReplaces(t *testing.T) {
	out := docsInto(t)
	stale := map[string]string{
		"gone.html":                   "<!DOCTYPE html>\n" + datadict.Marker + "\n<html></html>\n",
		"gone.md":                     datadict.Marker + "\n# gone\n",
		".example.html.dmsc-tmp-1234": "partial",
	}
	for name, data := range stale {
		if err := os.WriteFile(filepath.Join(out, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(out, "example.html"), []byte("<!DOCTYPE html>\n"+datadict.Marker+"\nold\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "docs", "-o", out, "--force", "--format", "json", "-q")
	mustCode(t, r, ExitOK)
	for _, name := range []string{".example.html.dmsc-tmp-1234", "gone.html", "gone.md"} {
		if _, err := os.Stat(filepath.Join(out, name)); !os.IsNotExist(err) {
			t.Errorf("%s was not removed", name)
		}
		if !strings.Contains(r.stdout, `"`+name+`"`) {
			t.Errorf("the summary does not report removing %s:\n%s", name, r.stdout)
		}
	}
	for name := range stale {
		if err := os.WriteFile(filepath.Join(out, name), []byte(stale[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r = runCLI(t, "docs", "-o", out, "--force", "-q")
	mustCode(t, r, ExitOK)
	for _, want := range []string{
		"removed " + filepath.Join(out, "gone.html") + " (a page of a project no longer in the schema set)",
		"removed " + filepath.Join(out, ".example.html.dmsc-tmp-1234") + " (a temporary file an interrupted run left)",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	fresh := readTree(t, docsInto(t))
	after := readTree(t, out)
	if len(after) != len(fresh) {
		t.Errorf("after --force the directory holds %d files, a fresh run writes %d", len(after), len(fresh))
	}
	for name, data := range fresh {
		if string(after[name]) != string(data) {
			t.Errorf("%s was not replaced", name)
		}
	}
}

// TestDocsDS50: DS 5.0 + sample-ds50 give one page and one diagram file
// per project, and the School section carries its ApiSchema description.
func TestDocsDS50(t *testing.T) {
	dir := filepath.Join(testenv.Fixtures(t), "apischema")
	out := docsInto(t, "-s", filepath.Join(dir, "ds-5.0", "ApiSchema.json"), "-s", filepath.Join(dir, "sample-ds50", "ApiSchema.json"))
	names := []string{}
	for name := range readTree(t, out) {
		names = append(names, name)
	}
	if len(names) != 5 {
		t.Errorf("wrote %v, want index.html and ed-fi and sample pages and diagrams", names)
	}
	page, err := os.ReadFile(filepath.Join(out, "ed-fi.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "This entity represents an educational organization that includes staff and students") {
		t.Error("ed-fi.html lacks School's description")
	}
}
