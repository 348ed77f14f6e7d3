package cli

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// modelResources returns the resource lines ("Project Resource …") of
// dmsc model's text output.
func modelResources(out string) []string {
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "Example ") || strings.HasPrefix(line, "Extra ") {
			name, _, _ := strings.Cut(line, " (")
			name, _, _ = strings.Cut(name, ":")
			names = append(names, name)
		}
	}
	return names
}

// TestModelResource: --resource keeps the resources it names, by name or
// endpoint, case-insensitively, in model order, and an abstract
// resource's view.
func TestModelResource(t *testing.T) {
	for _, tt := range []struct {
		args      []string
		resources []string
		view      bool
	}{
		{[]string{"--resource", "School"}, []string{"Example School"}, false},
		{[]string{"--resource", "SCHOOLS"}, []string{"Example School"}, false},
		{[]string{"--resource", "buses", "--resource", "school"}, []string{"Example School", "Extra Bus"}, false},
		{[]string{"--resource", "example/schools"}, []string{"Example School"}, false},
		{[]string{"--resource", "Extra:Bus"}, []string{"Extra Bus"}, false},
		{[]string{"--resource", "gradeLevelDescriptors"}, []string{"Example GradeLevelDescriptor"}, false},
		{[]string{"--resource", "educationorganization"}, nil, true},
		{nil, nil, true},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCLI(t, append([]string{"model", "-q"}, tt.args...)...)
			mustCode(t, r, ExitOK)
			got := modelResources(r.stdout)
			if tt.args == nil {
				if len(got) != 10 {
					t.Errorf("without --resource: %d resources, want all 10", len(got))
				}
			} else if !slices.Equal(got, tt.resources) {
				t.Errorf("resources %q, want %q", got, tt.resources)
			}
			if view := strings.Contains(r.stdout, "\nview "); view != tt.view {
				t.Errorf("view printed: %v, want %v", view, tt.view)
			}
			if !strings.HasPrefix(r.stdout, "dialect pgsql") {
				t.Errorf("the header is missing:\n%s", r.stdout)
			}
		})
	}
}

// TestModelResourceJSON: with --format json, the manifest holds only the
// selected resources and still loads.
func TestModelResourceJSON(t *testing.T) {
	r := runCLI(t, "model", "-q", "--format", "json", "--resource", "schools", "--resource", "EducationOrganization")
	mustCode(t, r, ExitOK)
	m, err := manifest.Decode([]byte(r.stdout))
	if err != nil {
		t.Fatalf("the filtered manifest does not load: %v", err)
	}
	if len(m.Resources) != 1 || m.Resources[0].ResourceName != "School" {
		t.Errorf("resources %v, want School only", m.Resources)
	}
	if len(m.AbstractResources) != 1 || m.AbstractResources[0].ResourceName != "EducationOrganization" {
		t.Errorf("abstract resources %v, want EducationOrganization only", m.AbstractResources)
	}
	r = runCLI(t, "model", "-q", "--format", "json", "--resource", "Bus")
	mustCode(t, r, ExitOK)
	if m, err = manifest.Decode([]byte(r.stdout)); err != nil || len(m.AbstractResources) != 0 {
		t.Errorf("--resource Bus: %v, abstract resources %v", err, m)
	}
}

// TestModelResourceUnknown: a name that matches nothing is a usage error
// listing the close matches.
func TestModelResourceUnknown(t *testing.T) {
	r := runCLI(t, "model", "-q", "--resource", "Scool")
	mustCode(t, r, ExitUsage)
	if !strings.Contains(r.stderr, `--resource "Scool"`) || !strings.Contains(r.stderr, "close matches: School, schools") {
		t.Errorf("stderr: %s", r.stderr)
	}
	r = runCLI(t, "model", "-q", "--resource", "School", "--resource", "zzzzzzzz")
	mustCode(t, r, ExitUsage)
	if !strings.Contains(r.stderr, `"zzzzzzzz": no resource has that name or endpoint (run dmsc model`) {
		t.Errorf("stderr: %s", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout: %s", r.stdout)
	}
}

// TestCloseMatches ranks candidates by edit distance and keeps those
// containing the name.
func TestCloseMatches(t *testing.T) {
	candidates := []string{"School", "schools", "Student", "students", "StudentSchoolAssociation", "Program"}
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"Scool", []string{"School", "schools"}},
		{"ed-fi/scools", []string{"schools", "School"}},
		{"Ed-Fi:Studnt", []string{"Student", "students"}},
		{"association", []string{"StudentSchoolAssociation"}},
		{"xyz", nil},
	} {
		if got := closeMatches(tt.name, candidates, maxSuggestions); !slices.Equal(got, tt.want) {
			t.Errorf("closeMatches(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// modelRow is one column row of dmsc model's text: the name, then the
// type, then the nullability, each followed by spaces.
var modelRow = regexp.MustCompile(`^    (\S+ +)(\S+ +)(NULL|NOT NULL)( |$)`)

// TestModelColumnsAligned: in every table of every case's model (the
// naming case has names beyond 40 characters), the type and nullability
// columns start at the same offset on every row, with at least one space
// after the longest name.
func TestModelColumnsAligned(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "testdata", "cases", "*", "inputs"))
	if err != nil {
		t.Fatal(err)
	}
	runs := [][]string{{"model", "-q"}}
	for _, in := range cases {
		runs = append(runs, append([]string{"model", "-q"}, caseInputs(t, filepath.Dir(in))...))
	}
	long := false
	for _, args := range runs {
		r := runCLI(t, args...)
		mustCode(t, r, ExitOK)
		typeAt, nullAt, table := -1, -1, ""
		for _, line := range strings.Split(r.stdout, "\n") {
			m := modelRow.FindStringSubmatch(line)
			if m == nil {
				typeAt, nullAt, table = -1, -1, line
				continue
			}
			if len(strings.TrimSpace(m[1])) > minNameWidth {
				long = true
			}
			ta, na := 4+len(m[1]), 4+len(m[1])+len(m[2])
			if typeAt >= 0 && (ta != typeAt || na != nullAt) {
				t.Errorf("%v: in %s, %q is not aligned with the rows above it", args[2:], strings.TrimSpace(table), line)
			}
			typeAt, nullAt = ta, na
		}
	}
	if !long {
		t.Error("no case has a column name beyond the minimum width: the test checks nothing")
	}
}
