package testenv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// Case is one upstream DMS generator fixture, ../shared/fixtures/dms/<case>.
type Case struct {
	// Name is the case directory name (ext, minimal, …).
	Name string
	// Dir is the case directory.
	Dir string
	// Files are the ApiSchema inputs in fixture.json order (first = core).
	Files []string
}

// Expected returns the path of a file in the case's expected/ directory.
func (c Case) Expected(name string) string { return filepath.Join(c.Dir, "expected", name) }

// DMSCases lists the upstream fixture cases sorted by name, skipping the
// test when the corpus is absent.
func DMSCases(t testing.TB) []Case {
	t.Helper()
	root := filepath.Join(Fixtures(t), "dms")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	var out []Case
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		data, err := os.ReadFile(filepath.Join(dir, "fixture.json"))
		if err != nil {
			t.Fatalf("testenv: %v", err)
		}
		var f struct {
			APISchemaFiles []string `json:"apiSchemaFiles"`
		}
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("testenv: %s: %v", dir, err)
		}
		c := Case{Name: e.Name(), Dir: dir}
		for _, n := range f.APISchemaFiles {
			c.Files = append(c.Files, filepath.Join(dir, "inputs", n))
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DS50 returns the path of the full Ed-Fi Data Standard 5.0 core ApiSchema.
func DS50(t testing.TB) string {
	t.Helper()
	return filepath.Join(Fixtures(t), "apischema", "ds-5.0", "ApiSchema.json")
}

// Homograph returns the path of the self-contained Homograph extension.
func Homograph(t testing.TB) string {
	t.Helper()
	return filepath.Join(Fixtures(t), "apischema", "homograph", "ApiSchema.json")
}

// SampleDS50 returns the path of the real Sample extension (as MetaEd
// writes it) adjusted to DS 5.0's identities: DS50 + SampleDS50 is a
// consistent schema set.
func SampleDS50(t testing.TB) string {
	t.Helper()
	return filepath.Join(Fixtures(t), "apischema", "sample-ds50", "ApiSchema.json")
}

// SampleDS60 returns the path of the real Sample extension for DS 6.0;
// with DS50 it must be refused (one reference carries `hireDate`).
func SampleDS60(t testing.TB) string {
	t.Helper()
	return filepath.Join(Fixtures(t), "apischema", "sample-ds60", "ApiSchema.json")
}

// DistrictExtension returns the path of dmsc's own DS 5.0 extension
// project (testdata/extensions/district), which extends the collection
// items Sample extends.
func DistrictExtension(t testing.TB) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "testdata", "extensions", "district", "ApiSchema.json")
}
