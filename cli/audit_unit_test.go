package cli

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// sampleFindings are findings of two resources, the first one's split by
// the second's (grouping keeps the first appearance's order).
var sampleFindings = []relstore.Finding{
	{Resource: "Example:Program", DocumentID: 6, DocumentUUID: "u6", Kind: "flag", Detail: "edge → 5 (identity)"},
	{Resource: "Example:Student", DocumentID: 9, DocumentUUID: "u9", Kind: "extra", Detail: "edge → 4"},
	{Resource: "Example:Program", DocumentID: 7, DocumentUUID: "u7", Kind: "missing", Detail: "edge → 4 (identity)"},
}

// TestAuditText checks the text report.
func TestAuditText(t *testing.T) {
	for _, tc := range []struct {
		name     string
		command  string
		rep      relstore.Report
		complete bool
		want     string
	}{
		{
			name: "clean", command: "edges audit", complete: true,
			rep:  relstore.Report{Checked: 1, Elapsed: 1500 * time.Microsecond},
			want: "edges audit: checked 1 document, 0 differences, repaired 0, 2ms\n",
		},
		{
			name: "findings", command: "edges rebuild", complete: true,
			rep: relstore.Report{Checked: 12, Differences: 3, Repaired: 4, Findings: sampleFindings, Elapsed: 700 * time.Nanosecond},
			want: `edges rebuild: checked 12 documents, 3 differences, repaired 4, 1µs

Example:Program: 2 findings
  flag     document 6 (u6)  edge → 5 (identity)
  missing  document 7 (u7)  edge → 4 (identity)

Example:Student: 1 finding
  extra    document 9 (u9)  edge → 4
`,
		},
		{
			name: "truncated and interrupted", command: "identity audit", complete: false,
			rep: relstore.Report{Checked: 2, Differences: 1001, Findings: sampleFindings[1:2], Cursor: "c1", Elapsed: 2 * time.Second},
			want: `identity audit (stopped early): checked 2 documents, 1001 differences, repaired 0, 2s

Example:Student: 1 finding
  extra    document 9 (u9)  edge → 4

... and 1000 more differences not listed (raise --max-findings to see them)

resume with: --resume c1
`,
		},
		{
			name: "interrupted without findings kept", command: "identity rebuild", complete: false,
			rep:  relstore.Report{Checked: 5, Differences: 2, Cursor: "c2"},
			want: "identity rebuild (stopped early): checked 5 documents, 2 differences, repaired 0, 0s\n\nresume with: --resume c2\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeAuditReport(&b, formatText, tc.command, &tc.rep, tc.complete); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}

// TestAuditJSON checks the JSON report: fixed key order, findings as [] when
// there are none.
func TestAuditJSON(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rep      relstore.Report
		complete bool
		want     string
	}{
		{"empty", relstore.Report{Checked: 3, Elapsed: 42}, true,
			`{"command":"edges audit","checked":3,"differences":0,"repaired":0,"findings":[],"cursor":"","complete":true,"elapsed_ns":42}`},
		{"findings", relstore.Report{Checked: 3, Differences: 1, Repaired: 2, Findings: sampleFindings[:1], Cursor: "c", Elapsed: 7}, false,
			`{"command":"edges audit","checked":3,"differences":1,"repaired":2,"findings":[{"resource":"Example:Program","document_id":6,"document_uuid":"u6","kind":"flag","detail":"edge → 5 (identity)"}],"cursor":"c","complete":false,"elapsed_ns":7}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeAuditReport(&b, formatJSON, "edges audit", &tc.rep, tc.complete); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(strings.Fields(b.String()), "")
			want := strings.Join(strings.Fields(tc.want), "")
			if got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestResolveAuditResources checks the --resource forms against the
// built-in example's manifest.
func TestResolveAuditResources(t *testing.T) {
	m := compiler.Manifest(relstoretest.Compile(t))
	for _, tc := range []struct {
		name  string
		in    []string
		want  []string
		error string
	}{
		{"none", nil, nil, ""},
		{"endpoint", []string{"example/schools"}, []string{"Example:School"}, ""},
		{"endpoint with slashes", []string{"/example/students/"}, []string{"Example:Student"}, ""},
		{"name", []string{"Example:LocalEducationAgency"}, []string{"Example:LocalEducationAgency"}, ""},
		{"any case", []string{"EXAMPLE/Programs", "example:gradeleveldescriptor"}, []string{"Example:Program", "Example:GradeLevelDescriptor"}, ""},
		{"extension", []string{"extra/buses"}, []string{"Extra:Bus"}, ""},
		{"duplicates", []string{"example/schools", "Example:School", "example/programs"}, []string{"Example:School", "Example:Program"}, ""},
		{"unknown endpoint", []string{"example/schools", "example/nothing"}, nil, `--resource "example/nothing"`},
		{"unknown name", []string{"Ed-Fi:School"}, nil, `--resource "Ed-Fi:School"`},
		{"abstract", []string{"Example:EducationOrganization"}, nil, "no such resource"},
		{"bare name", []string{"schools"}, nil, "projectEndpoint/endpoint"},
		{"empty", []string{""}, nil, "no such resource"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveAuditResources(m, tc.in)
			if tc.error != "" {
				var ue *usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.error) {
					t.Fatalf("error %v, want a usage error containing %q", err, tc.error)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestAuditTracker checks the progress line (drawn only on a terminal, at
// most every progressInterval unless the resource changes, erased at the
// end) and the partial report of an interrupted run.
func TestAuditTracker(t *testing.T) {
	saved := auditIsTerminal
	t.Cleanup(func() { auditIsTerminal = saved })
	for _, terminal := range []bool{false, true} {
		auditIsTerminal = func(io.Writer) bool { return terminal }
		var w bytes.Buffer
		tr := newAuditTracker(&w, "edges audit")
		if p := tr.partial(nil, time.Second); p != nil {
			t.Errorf("partial before any progress: %+v", p)
		}
		if p := tr.partial(&relstore.Report{Checked: 1}, 0); p == nil || p.Checked != 1 || p.Cursor != "" {
			t.Errorf("partial from a report before any progress: %+v", p)
		}
		tr.update(relstore.Progress{Resource: "Example:School", Checked: 1, Findings: 0, Cursor: "c1"})
		tr.update(relstore.Progress{Resource: "Example:School", Checked: 2, Findings: 1, Cursor: "c2"}) // too soon
		tr.update(relstore.Progress{Resource: "Example:Student", Checked: 3, Findings: 1, Cursor: "c3"})
		tr.clear()
		want := ""
		if terminal {
			want = "\r\x1b[Kedges audit: Example:School  checked 1  findings 0" +
				"\r\x1b[Kedges audit: Example:Student  checked 3  findings 1\r\x1b[K"
		}
		if w.String() != want {
			t.Errorf("terminal=%v: progress %q, want %q", terminal, w.String(), want)
		}
		if p := tr.partial(nil, 0); p == nil || p.Cursor != "c3" || p.Checked != 3 || p.Differences != 1 || p.Findings != nil {
			t.Errorf("partial from progress: %+v", p)
		}
		rep := &relstore.Report{Checked: 2, Differences: 1, Findings: sampleFindings[:1]}
		if p := tr.partial(rep, 0); p.Cursor != "c3" || p.Checked != 2 || len(p.Findings) != 1 || rep.Cursor != "" {
			t.Errorf("partial from a report without cursor: %+v (report %+v)", p, rep)
		}
		rep.Cursor = "own"
		if p := tr.partial(rep, 0); p.Cursor != "own" {
			t.Errorf("partial from a report with cursor: %+v", p)
		}
	}
}
