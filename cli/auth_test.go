package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// ds50Overlay is the reviewed DS 5.0 overlay.
func ds50Overlay(t *testing.T) string {
	return filepath.Join(testenv.RepoRoot(t), "testdata", "auth", "ds-5.0.overlay.json")
}

// TestAuthInferDS50 runs `dmsc auth infer` on DS 5.0: the JSON output is
// the committed overlay byte for byte, and the text report, which explains
// every proposed element, is kept under review as a golden file.
func TestAuthInferDS50(t *testing.T) {
	ds50 := testenv.DS50(t)
	r := runCLI(t, "auth", "infer", "-q", "-s", ds50, "--format", "json")
	mustCode(t, r, ExitOK)
	want, err := os.ReadFile(ds50Overlay(t))
	if err != nil {
		t.Fatal(err)
	}
	if r.stdout != string(want) {
		t.Errorf("dmsc auth infer --format json differs from %s (authinfer's TestDS50Overlay -update rewrites it)", ds50Overlay(t))
	}
	if r.stderr != "" {
		t.Errorf("--quiet printed %q", r.stderr)
	}
	text := runCLI(t, "auth", "infer", "-s", ds50)
	mustCode(t, text, ExitOK)
	golden.Assert(t, "auth-infer-ds-5.0", []byte(text.stdout))
	for _, s := range []string{"auth-infer", "error"} {
		if strings.Contains(text.stderr, s) {
			t.Errorf("stderr mentions %q:\n%s", s, text.stderr)
		}
	}
	// Spot checks of the explanations.
	for _, s := range []string{
		"Ed-Fi/CourseTranscript\n  EducationOrganization $.studentAcademicRecordReference.educationOrganizationId (EducationOrganizationId)\n      identity value reached through the references StudentAcademicRecord → EducationOrganization, with no role name",
		"  not EducationOrganization $.courseReference.educationOrganizationId\n      reached through the references Course → EducationOrganization, but Course carries the role name Course",
		"Ed-Fi/Student\n  Student $.studentUniqueId\n      the document's own identity: StudentUniqueId, the unique id of Ed-Fi's Student [person-identity]",
		"Ed-Fi: 200 descriptors\n  Namespace $.namespace",
		"  School → LocalEducationAgency  $.localEducationAgencyReference.localEducationAgencyId\n",
	} {
		if !strings.Contains(text.stdout, s) {
			t.Errorf("the report lacks %q", s)
		}
	}
}

// TestAuthInferDeclared: with --all, inference on DS 5.0 + Sample compares
// every list Sample declares with the proposal (all the same), and warns
// about Sample's copy of the hierarchy; without --all, the overlay leaves
// out what Sample declares.
func TestAuthInferDeclared(t *testing.T) {
	ds50, sample := testenv.DS50(t), testenv.SampleDS50(t)
	r := runCLI(t, "auth", "infer", "-s", ds50, "-s", sample, "--all")
	mustCode(t, r, ExitOK)
	if n := strings.Count(r.stdout, "declared: the same"); n != 2 {
		t.Errorf("%d lists reported the same, want 2 (the non-descriptor Sample resources with elements):\n%s", n, r.stdout)
	}
	for _, s := range []string{"DIFFERENT", "(not proposed"} {
		if strings.Contains(r.stdout, s) {
			t.Errorf("the report says %q", s)
		}
	}
	if !strings.Contains(r.stdout, "Sample: 3 descriptors") || !strings.Contains(r.stdout, "Sample/Bus, Sample/BusRoute") {
		t.Errorf("Sample's descriptors or empty resources are missing:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "warning: edorg-hierarchy-differs: Sample's copy of educationOrganizationHierarchy differs") ||
		!strings.Contains(r.stderr, "School → PostSecondaryInstitution") {
		t.Errorf("no hierarchy warning:\n%s", r.stderr)
	}

	j := runCLI(t, "auth", "infer", "-q", "-s", ds50, "-s", sample, "--format", "json")
	mustCode(t, j, ExitOK)
	var o struct {
		SecurableElements map[string]json.RawMessage `json:"securableElements"`
		Types             []string                   `json:"educationOrganizationTypes"`
	}
	if err := json.Unmarshal([]byte(j.stdout), &o); err != nil {
		t.Fatal(err)
	}
	if _, ok := o.SecurableElements["Sample/Bus"]; ok {
		t.Error("the overlay proposes Sample/Bus, which declares its own")
	}
	if _, ok := o.SecurableElements["Ed-Fi/Student"]; !ok || len(o.SecurableElements) != 328 || len(o.Types) != 10 {
		t.Errorf("overlay holds %d resources and %d types, want DS 5.0's 328 and 10", len(o.SecurableElements), len(o.Types))
	}
}

// TestAuthInferNoEdOrg: a set without the Ed-Fi EducationOrganization (the
// built-in example) gets securable elements but no hierarchy, with a
// warning saying why.
func TestAuthInferNoEdOrg(t *testing.T) {
	r := runCLI(t, append([]string{"auth", "infer"}, exampleSchema...)...)
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stderr, "warning: auth-infer-no-edorg:") || !strings.Contains(r.stdout, "No EdOrg types or hierarchy") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	j := runCLI(t, append([]string{"auth", "infer", "-q", "--format", "json"}, exampleSchema...)...)
	mustCode(t, j, ExitOK)
	if strings.Contains(j.stdout, `"educationOrganizationHierarchy":`) {
		t.Error("a hierarchy was proposed")
	}
}

// TestAuthCheck applies overlays to DS 5.0 (+ Sample): the reviewed
// overlay covers every core resource, strict validation names what is
// wrong (exit 1), and without an overlay the gap is a warning.
func TestAuthCheck(t *testing.T) {
	ds50, sample := testenv.DS50(t), testenv.SampleDS50(t)
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // a line the output must hold
		stderr []string
		quiet  bool // stderr must be empty
	}{
		{name: "reviewed overlay", args: []string{"-q", "-s", ds50, "--auth-overlay", ds50Overlay(t)},
			stdout: "Ed-Fi: 328 resources: securableElements from the schema 0, from the overlay 328, none 0; educationOrganizationHierarchy overlay, educationOrganizationTypes overlay\n", quiet: true},
		{name: "with Sample", args: []string{"-s", ds50, "-s", sample, "--auth-overlay", ds50Overlay(t)},
			stdout: "Sample: 7 resources: securableElements from the schema 7, from the overlay 0, none 0; educationOrganizationHierarchy schema, educationOrganizationTypes schema\n",
			stderr: []string{"warning: edorg-hierarchy-differs: Sample's copy of educationOrganizationHierarchy differs from Ed-Fi's (from the overlay " + ds50Overlay(t) + "), which is used: School → PostSecondaryInstitution"}},
		{name: "no overlay", args: []string{"-s", ds50},
			stdout: "Ed-Fi: 328 resources: securableElements from the schema 0, from the overlay 0, none 328; educationOrganizationHierarchy absent, educationOrganizationTypes absent\n",
			stderr: []string{"warning: no-securable-elements: 328 of 328 resources of Ed-Fi have no securableElements (pass --auth-overlay FILE (dmsc auth infer proposes one))"}},
		{name: "unknown resource", code: ExitFailure,
			args:   []string{"-s", ds50, "--auth-overlay", write("bad.json", `{"securableElements":{"Ed-Fi/Studnt":{}}}`)},
			stderr: []string{"unknown-overlay-resource: Ed-Fi/Studnt: project Ed-Fi has no resource \"Studnt\"; did you mean \"Student\"?"}},
		{name: "unknown project", code: ExitFailure,
			args:   []string{"-s", ds50, "--auth-overlay", write("badp.json", `{"securableElements":{"TPDM/Candidate":{}}}`)},
			stderr: []string{"unknown-overlay-project: TPDM/Candidate: the schema set has no project \"TPDM\" (projects: Ed-Fi)"}},
		{name: "malformed overlay", code: ExitFailure,
			args:   []string{"-s", ds50, "--auth-overlay", write("mal.json", `{"securableElements":{"Ed-Fi/Student":{"Student":"$.studentUniqueId"}},"extra":1}`)},
			stderr: []string{"mal.json:$.extra: unknown-overlay-key:", "mal.json:$.securableElements['Ed-Fi/Student'].Student: wrong-type: expected array, found string"}},
		{name: "missing overlay file", code: ExitFailure,
			args:   []string{"-s", ds50, "--auth-overlay", filepath.Join(dir, "none.json")},
			stderr: []string{"none.json: read-failed: cannot read file:"}},
		{name: "overlay is a directory", code: ExitFailure,
			args:   []string{"-s", ds50, "--auth-overlay", dir},
			stderr: []string{": read-failed: cannot read file: not a regular file (a directory)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, append([]string{"auth", "check"}, tc.args...)...)
			mustCode(t, r, tc.code)
			if !strings.Contains(r.stdout, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, r.stdout)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if tc.quiet && r.stderr != "" {
				t.Errorf("stderr: %s", r.stderr)
			}
		})
	}
}

// TestAuthCheckJSON: the JSON report lists each resource's origin and
// elements in the securableElements shape.
func TestAuthCheckJSON(t *testing.T) {
	r := runCLI(t, "auth", "check", "-q", "-s", testenv.DS50(t), "--auth-overlay", ds50Overlay(t), "--format", "json")
	mustCode(t, r, ExitOK)
	var rep struct {
		Projects []struct {
			Project                            string
			Resources, Schema, Overlay, Absent int
		} `json:"projects"`
		Resources []struct {
			Resource, Origin string
			Elements         map[string]json.RawMessage
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Projects) != 1 || rep.Projects[0].Overlay != 328 || len(rep.Resources) != 328 {
		t.Fatalf("report %+v", rep.Projects)
	}
	for _, res := range rep.Resources {
		if res.Resource == "Ed-Fi/StudentSchoolAssociation" {
			var parts []string
			for _, k := range []string{"EducationOrganization", "Student", "Contact"} {
				var b bytes.Buffer
				if err := json.Compact(&b, res.Elements[k]); err != nil {
					t.Fatal(err)
				}
				parts = append(parts, b.String())
			}
			got := strings.Join(parts, " ")
			want := `[{"jsonPath":"$.schoolReference.schoolId","metaEdName":"SchoolId"}] ["$.studentReference.studentUniqueId"] []`
			if res.Origin != "overlay" || got != want {
				t.Errorf("%s: %s %s, want overlay %s", res.Resource, res.Origin, got, want)
			}
		}
	}
}

// TestAuthUsage: usage errors exit 2.
func TestAuthUsage(t *testing.T) {
	for _, args := range [][]string{
		{"auth", "infer"},
		{"auth", "check"},
		{"auth", "infer", "-s", "x.json", "--format", "yaml"},
		{"auth", "infer", "-s", "x.json", "extra"},
		{"auth", "bogus"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			mustCode(t, runCLI(t, args...), ExitUsage)
		})
	}
	r := runCLI(t, "auth")
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "infer  propose an overlay") {
		t.Errorf("dmsc auth printed %q", r.stdout)
	}
}
