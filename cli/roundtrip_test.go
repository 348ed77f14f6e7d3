package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/roundtrip"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// roundtripJSON is the --format json output of `dmsc roundtrip`.
type roundtripJSON struct {
	Loaded     int                         `json:"loaded"`
	Equal      int                         `json:"equal"`
	Mismatched int                         `json:"mismatched"`
	Rejected   int                         `json:"rejected"`
	Resources  map[string]roundtrip.Counts `json:"resources"`
	Mismatches []roundtrip.Mismatch        `json:"mismatches"`
	Rejections []roundtrip.Rejection       `json:"rejections"`
}

// decodeRoundtripJSON parses the JSON report and checks its top-level keys
// and their order.
func decodeRoundtripJSON(t *testing.T, out string) roundtripJSON {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
			continue
		}
		if s, ok := tok.(string); ok && depth == 1 && dec.More() {
			keys = append(keys, s)
			// Skip the value.
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("decoding the value of %q: %v", s, err)
			}
		}
	}
	if want := []string{"loaded", "equal", "mismatched", "rejected", "resources", "mismatches", "rejections"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("top-level keys %q, want %q", keys, want)
	}
	var r roundtripJSON
	d := json.NewDecoder(strings.NewReader(out))
	d.DisallowUnknownFields()
	if err := d.Decode(&r); err != nil {
		t.Fatalf("decoding the report: %v\n%s", err, out)
	}
	if r.Resources == nil || r.Mismatches == nil || r.Rejections == nil {
		t.Errorf("resources, mismatches and rejections must be present (not null):\n%s", out)
	}
	return r
}

// countDocuments counts dir/<project>/<resource>/*.json per
// "project/resource".
func countDocuments(t *testing.T, dir string) map[string]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, filepath.Dir(f))
		out[filepath.ToSlash(rel)]++
	}
	return out
}

// TestRoundtripExampleDocuments loads testdata/documents/example into a
// fresh database: every document must read back equal, and the
// overposted property is reported as pruned.
func TestRoundtripExampleDocuments(t *testing.T) {
	dsn := testenv.NewPostgresDatabase(t, "cli", "roundtrip")
	dir := filepath.Join(testenv.RepoRoot(t), "testdata", "documents", "example")
	want := countDocuments(t, dir)
	total := 0
	for _, n := range want {
		total += n
	}
	if total < 40 {
		t.Fatalf("only %d example documents in %s", total, dir)
	}

	r := runCLI(t, withExample("roundtrip", "--provision", "--dsn", dsn, dir)...)
	mustCode(t, r, ExitOK)
	for _, s := range []string{
		"example/schools ",
		"pruned: example/students/005-overposted-unknown-property.json: $.favoriteColor\n",
	} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("text output lacks %q:\n%s", s, r.stdout)
		}
	}
	if r.stderr != "" {
		t.Errorf("stderr not empty (progress must show on terminals only):\n%s", r.stderr)
	}

	// Again, as JSON, on the loaded database: every POST now updates.
	r = runCLI(t, "roundtrip", "--dsn", dsn, "--format", "json", dir) // the manifest stored by --provision
	mustCode(t, r, ExitOK)
	rep := decodeRoundtripJSON(t, r.stdout)
	if rep.Loaded != total || rep.Equal != total || rep.Mismatched != 0 || rep.Rejected != 0 {
		t.Errorf("loaded/equal/mismatched/rejected = %d/%d/%d/%d, want %d/%d/0/0", rep.Loaded, rep.Equal, rep.Mismatched, rep.Rejected, total, total)
	}
	for key, n := range want {
		if c := rep.Resources[key]; c != (roundtrip.Counts{Loaded: n, Equal: n}) {
			t.Errorf("%s: %+v, want %d loaded and equal", key, c, n)
		}
	}
	if len(rep.Resources) != len(want) {
		t.Errorf("%d resources reported, want %d", len(rep.Resources), len(want))
	}
}

// TestRoundtripRejections loads a directory with documents that cannot
// load: they are rejected with their reasons, which fails only --strict.
func TestRoundtripRejections(t *testing.T) {
	dsn := testenv.NewPostgresDatabase(t, "cli", "roundtripreject")
	dir := t.TempDir()
	const ns = `"namespace":"uri://ed-fi.org/GradeLevelDescriptor"`
	writeRoundtripDocs(t, dir, map[string]string{
		// Two spellings of one descriptor: the second POST updates the
		// first, and references in the first spelling read back in the
		// second (descriptor URIs compare case-insensitively).
		"example/gradeLevelDescriptors/001.json": `{` + ns + `,"codeValue":"Ninth grade","shortDescription":"9"}`,
		"example/gradeLevelDescriptors/002.json": `{` + ns + `,"codeValue":"NINTH GRADE","shortDescription":"9"}`,
		"example/schools/001.json":               `{"schoolId":1,"nameOfInstitution":"One","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth grade"}]}`,
		"example/schools/002.json":               `{"schoolId":2,"nameOfInstitution":"Two","webSite":"ftp://two","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth grade"}]}`,
		"example/schools/003.json":               `{"schoolId":3,"nameOfInstitution":"Three","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth grade"}]}`,
		"example/students/001.json":              `{"studentUniqueId":"S1","firstName":"A","lastSurname":"B","birthDate":"2010-01-01"}`,
		"example/studentSchoolAssociations/001.json": `{"studentReference":{"studentUniqueId":"S1"},"schoolReference":{"schoolId":99},
			"entryDate":"2024-08-20","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth grade"}`,
		"example/widgets/001.json": `{}`,
	})
	r := runCLI(t, withExample("roundtrip", "--provision", "--dsn", dsn, "--format", "json", dir)...)
	mustCode(t, r, ExitOK)
	rep := decodeRoundtripJSON(t, r.stdout)
	if rep.Loaded != 4 || rep.Equal != 4 || rep.Mismatched != 0 || rep.Rejected != 4 {
		t.Errorf("loaded/equal/mismatched/rejected = %d/%d/%d/%d, want 4/4/0/4\n%s", rep.Loaded, rep.Equal, rep.Mismatched, rep.Rejected, r.stdout)
	}
	want := map[string]string{
		"example/schools/002.json":                   "$.webSite",
		"example/schools/003.json":                   "Tenth grade",
		"example/studentSchoolAssociations/001.json": "$.schoolReference",
		"example/widgets":                            "no resource is served at /example/widgets",
	}
	got := map[string]string{}
	for _, rej := range rep.Rejections {
		got[rej.File] = rej.Error
	}
	if len(got) != len(want) {
		t.Errorf("rejections %q, want files %q", got, want)
	}
	for file, s := range want {
		if !strings.Contains(got[file], s) {
			t.Errorf("%s: rejection %q, want it to mention %q", file, got[file], s)
		}
	}

	r = runCLI(t, "roundtrip", "--dsn", dsn, "--strict", dir) // the manifest stored by --provision
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stderr, "4 documents rejected (--strict)") {
		t.Errorf("stderr lacks the strict verdict:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "rejected: example/widgets: not a resource endpoint of project example") {
		t.Errorf("text output lacks the rejected directory:\n%s", r.stdout)
	}
}

// TestRoundtripFixtures loads the shared corpus of real documents (DS 5.0
// and Homograph), and our own documents for DS 5.0 with the real Sample
// extension, and logs the counts. No document may read back differently;
// documents that cannot load (out-of-range ids, an LEA that no document
// creates, what depends on them) are rejections, and there may be none
// where allLoad is set.
func TestRoundtripFixtures(t *testing.T) {
	fixtures := testenv.Fixtures(t)
	for _, c := range []struct {
		name, dir string
		schemas   []string
		allLoad   bool
	}{
		{"ds-5.0", filepath.Join(fixtures, "documents", "ds-5.0"), []string{testenv.DS50(t)}, false},
		{"homograph", filepath.Join(fixtures, "documents", "homograph"), []string{testenv.Homograph(t)}, true},
		{"ds50-sample", filepath.Join(testenv.RepoRoot(t), "testdata", "documents", "ds50-sample"), []string{testenv.DS50(t), testenv.SampleDS50(t)}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dsn := testenv.NewPostgresDatabase(t, "cli", "rt"+c.name)
			dir := c.dir
			args := []string{"roundtrip", "-q", "--provision", "--dsn", dsn, "--format", "json"}
			for _, s := range c.schemas {
				args = append(args, "-s", s)
			}
			r := runCLI(t, append(args, dir)...)
			mustCode(t, r, ExitOK)
			rep := decodeRoundtripJSON(t, r.stdout)
			t.Logf("%s: %d loaded, %d equal, %d mismatched, %d rejected", c.name, rep.Loaded, rep.Equal, rep.Mismatched, rep.Rejected)
			files := 0
			for _, n := range countDocuments(t, dir) {
				files += n
			}
			if rep.Loaded+rep.Rejected != files || rep.Equal != rep.Loaded || rep.Loaded == 0 {
				t.Errorf("%d loaded + %d rejected of %d files, %d equal", rep.Loaded, rep.Rejected, files, rep.Equal)
			}
			if c.allLoad && rep.Rejected != 0 {
				t.Errorf("rejections: %+v", rep.Rejections)
			}
			rejected := map[string]bool{}
			for _, rej := range rep.Rejections {
				rejected[rej.File] = true
			}
			for _, b := range blockedDocuments(t, dir) {
				if !rejected[b] {
					t.Errorf("%s is blocked (load-order.json) but was not rejected", b)
				}
			}
		})
	}
}

// blockedDocuments reads the documents load-order.json lists as blocked,
// as paths relative to dir.
func blockedDocuments(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "load-order.json"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		t.Fatal(err)
	}
	var lo struct {
		Blocked []struct {
			Path string `json:"path"`
		} `json:"blocked"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&lo); err != nil {
		t.Fatalf("load-order.json: %v", err)
	}
	var out []string
	for _, b := range lo.Blocked {
		// Paths start with the corpus name: ds-5.0/ed-fi/schools/202.json.
		_, rest, _ := strings.Cut(b.Path, "/")
		out = append(out, path.Clean(rest))
	}
	return out
}
