package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// auditSeedDoc is one document of the audit tests' seed graph.
type auditSeedDoc struct{ pe, ep, body string }

// auditSeed is a small graph over the built-in example schema (as in the
// runtime's seed tests): descriptors, both EducationOrganization
// subclasses, programs referencing either, a student and an association.
var auditSeed = []auditSeedDoc{
	{"example", "gradeLevelDescriptors", `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Tenth Grade","shortDescription":"10th"}`},
	{"example", "addressTypeDescriptors", `{"namespace":"uri://ed-fi.org/AddressTypeDescriptor","codeValue":"Physical","shortDescription":"Physical"}`},
	{"example", "programTypeDescriptors", `{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Career","shortDescription":"Career"}`},
	{"example", "localEducationAgencies", `{"localEducationAgencyId":255901,"nameOfInstitution":"Grand Bend ISD"}`},
	{"example", "schools", `{"schoolId":255901001,"nameOfInstitution":"Grand Bend High","localEducationAgencyReference":{"localEducationAgencyId":255901},
	  "gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}],
	  "addresses":[{"addressTypeDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#Physical","streetNumberName":"1 Main","city":"Austin"}]}`},
	{"example", "programs", `{"educationOrganizationReference":{"educationOrganizationId":255901001},"programName":"Robotics","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career","programId":"R-1"}`},
	{"example", "programs", `{"educationOrganizationReference":{"educationOrganizationId":255901},"programName":"District Band","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"}`},
	{"example", "students", `{"studentUniqueId":"S1","firstName":"Ana","lastSurname":"Lee","birthDate":"2010-05-01"}`},
	{"example", "students", `{"studentUniqueId":"S2","firstName":"Bo","lastSurname":"Kim","birthDate":"2011-02-03"}`},
	{"example", "studentSchoolAssociations", `{"studentReference":{"studentUniqueId":"S1"},"schoolReference":{"schoolId":255901001},"entryDate":"2024-08-20","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade",
	  "programs":[{"programReference":{"educationOrganizationId":255901001,"programName":"Robotics","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"},"beginDate":"2024-09-01"}]}`},
}

// Indexes into auditSeed.
const (
	seedLEA      = 3
	seedSchool   = 4
	seedRobotics = 5
	seedBand     = 6
	seedStudent  = 7
	seedStudent2 = 8
	seedSSA      = 9
)

// auditDoc is a seeded document: its DocumentUuid and DocumentId.
type auditDoc struct {
	uuid string
	id   int64
}

// auditDB is a provisioned database holding the seed graph.
type auditDB struct {
	env  *relstoretest.Env
	docs []auditDoc
}

// newAuditDB provisions a database (skipping without DMSC_PG_DSN) and
// writes the seed graph.
func newAuditDB(t *testing.T, label string) *auditDB {
	t.Helper()
	env := relstoretest.New(t, label)
	db := &auditDB{env: env, docs: make([]auditDoc, len(auditSeed))}
	for i, d := range auditSeed {
		res, err := env.Store.Upsert(t.Context(), d.pe, d.ep, []byte(d.body))
		if err != nil {
			t.Fatalf("seed %d (%s): %v", i, d.ep, err)
		}
		db.docs[i].uuid = res.ID
		if err := env.Pool.QueryRow(t.Context(), `SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = $1`, res.ID).Scan(&db.docs[i].id); err != nil {
			t.Fatalf("seed %d: DocumentId: %v", i, err)
		}
	}
	return db
}

// exec runs one corrupting statement, which must change exactly one row.
func (db *auditDB) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	tag, err := db.env.Pool.Exec(t.Context(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if tag.RowsAffected() != 1 {
		t.Fatalf("%s %v: %d rows changed, want 1", sql, args, tag.RowsAffected())
	}
}

// count returns one integer from SQL.
func (db *auditDB) count(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.env.Pool.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// run runs dmsc with args plus --dsn of the test's database.
func (db *auditDB) run(t *testing.T, args ...string) result {
	t.Helper()
	return runCLI(t, append(args, "--dsn", db.env.DSN)...)
}

// runJSON runs dmsc with --format json, checks the exit code and decodes
// the report.
func (db *auditDB) runJSON(t *testing.T, code int, args ...string) auditJSON {
	t.Helper()
	r := db.run(t, append(args, "--format", "json")...)
	mustCode(t, r, code)
	return decodeAuditJSON(t, r.stdout)
}

// decodeAuditJSON decodes a --format json report strictly.
func decodeAuditJSON(t *testing.T, out string) auditJSON {
	t.Helper()
	var rep auditJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("decoding the report: %v\n%s", err, out)
	}
	return rep
}

// want is an expected finding: a resource, a seed document and a kind.
type want struct {
	resource string
	doc      int
	kind     string
}

// keys renders expected findings comparably with findingKeys.
func (db *auditDB) keys(ws []want) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = fmt.Sprintf("%s %s %d %s", w.resource, db.docs[w.doc].uuid, db.docs[w.doc].id, w.kind)
	}
	slices.Sort(out)
	return out
}

// findingKeys renders a report's findings as sorted "resource uuid id kind".
func findingKeys(rep auditJSON) []string {
	out := make([]string, len(rep.Findings))
	for i, f := range rep.Findings {
		out[i] = fmt.Sprintf("%s %s %d %s", f.Resource, f.DocumentUUID, f.DocumentID, f.Kind)
	}
	slices.Sort(out)
	return out
}

// auditCase corrupts one derived index and names the findings expected.
type auditCase struct {
	index   string
	corrupt func(t *testing.T, db *auditDB)
	want    []want
	// other is a resource with no corrupted document.
	other string
	// only is a --resource value selecting one corrupted document, and
	// onlyWant that document's findings.
	only     string
	onlyWant []want
}

// auditCases are the edges and identity scenarios.
var auditCases = []auditCase{
	{
		index: "edges",
		corrupt: func(t *testing.T, db *auditDB) {
			d := db.docs
			db.exec(t, `DELETE FROM "dms"."ReferenceEdge" WHERE "ParentDocumentId" = $1 AND "ChildDocumentId" = $2`, d[seedSSA].id, d[seedStudent].id)
			db.exec(t, `INSERT INTO "dms"."ReferenceEdge" ("ParentDocumentId", "ChildDocumentId", "IsIdentityComponent") VALUES ($1, $2, false)`, d[seedStudent2].id, d[seedLEA].id)
			db.exec(t, `UPDATE "dms"."ReferenceEdge" SET "IsIdentityComponent" = NOT "IsIdentityComponent" WHERE "ParentDocumentId" = $1 AND "ChildDocumentId" = $2`, d[seedRobotics].id, d[seedSchool].id)
		},
		want: []want{
			{"Example:StudentSchoolAssociation", seedSSA, "missing"},
			{"Example:Student", seedStudent2, "extra"},
			{"Example:Program", seedRobotics, "flag"},
		},
		other:    "example/schools",
		only:     "Example:StudentSchoolAssociation",
		onlyWant: []want{{"Example:StudentSchoolAssociation", seedSSA, "missing"}},
	},
	{
		index: "identity",
		corrupt: func(t *testing.T, db *auditDB) {
			d := db.docs
			db.exec(t, `DELETE FROM "dms"."ReferentialIdentity" WHERE "DocumentId" = $1`, d[seedStudent].id)
			db.exec(t, `UPDATE "dms"."ReferentialIdentity" r SET "ReferentialId" = gen_random_uuid()
				FROM "dms"."Document" d WHERE d."DocumentId" = r."DocumentId" AND d."ResourceKeyId" = r."ResourceKeyId" AND r."DocumentId" = $1`, d[seedLEA].id)
			db.exec(t, `INSERT INTO "dms"."ReferentialIdentity" ("ReferentialId", "DocumentId", "ResourceKeyId")
				SELECT gen_random_uuid(), $1, "ResourceKeyId" FROM "dms"."Document" WHERE "DocumentId" = $2`, d[seedBand].id, d[seedSchool].id)
		},
		want: []want{
			{"Example:Student", seedStudent, "missing"},
			{"Example:LocalEducationAgency", seedLEA, "stale"},
			{"Example:Program", seedBand, "extra"},
		},
		other:    "Example:StudentSchoolAssociation",
		only:     "EXAMPLE/localEducationAgencies",
		onlyWant: []want{{"Example:LocalEducationAgency", seedLEA, "stale"}},
	},
}

// TestAuditFindsAndRebuildRepairs corrupts each derived index in SQL, then
// checks that the audit reports exactly the corruption (exit 1), that the
// rebuild repairs it (exit 0) and that a second audit is clean (exit 0).
func TestAuditFindsAndRebuildRepairs(t *testing.T) {
	for _, tc := range auditCases {
		t.Run(tc.index, func(t *testing.T) {
			db := newAuditDB(t, "audit-"+tc.index)
			clean := db.runJSON(t, ExitOK, tc.index, "audit")
			if clean.Checked < int64(len(auditSeed)) || clean.Differences != 0 || len(clean.Findings) != 0 || !clean.Complete || clean.Cursor != "" {
				t.Fatalf("audit of a clean database: %+v", clean)
			}
			tc.corrupt(t, db)

			rep := db.runJSON(t, ExitFailure, tc.index, "audit")
			if got, w := findingKeys(rep), db.keys(tc.want); !slices.Equal(got, w) {
				t.Fatalf("findings:\n got %q\nwant %q", got, w)
			}
			if rep.Command != tc.index+" audit" || rep.Differences != int64(len(tc.want)) || rep.Repaired != 0 || rep.Checked != clean.Checked || !rep.Complete {
				t.Fatalf("report: %+v", rep)
			}

			text := db.run(t, tc.index, "audit")
			mustCode(t, text, ExitFailure)
			summary := fmt.Sprintf("%s audit: checked %d documents, %d differences, repaired 0, ", tc.index, clean.Checked, len(tc.want))
			if !strings.HasPrefix(text.stdout, summary) {
				t.Errorf("text report does not start with %q:\n%s", summary, text.stdout)
			}
			for _, w := range tc.want {
				line := fmt.Sprintf("document %d (%s)", db.docs[w.doc].id, db.docs[w.doc].uuid)
				if !strings.Contains(text.stdout, "\n"+w.resource+": ") || !strings.Contains(text.stdout, line) {
					t.Errorf("text report lacks %s / %s:\n%s", w.resource, line, text.stdout)
				}
			}
			if !strings.Contains(text.stderr, "rebuild") {
				t.Errorf("stderr does not point at rebuild:\n%s", text.stderr)
			}

			fixed := db.runJSON(t, ExitOK, tc.index, "rebuild")
			if fixed.Command != tc.index+" rebuild" || fixed.Differences != int64(len(tc.want)) || fixed.Repaired < 1 || !fixed.Complete {
				t.Fatalf("rebuild report: %+v", fixed)
			}
			if got, w := findingKeys(fixed), db.keys(tc.want); !slices.Equal(got, w) {
				t.Errorf("rebuild findings:\n got %q\nwant %q", got, w)
			}
			after := db.runJSON(t, ExitOK, tc.index, "audit")
			if after.Differences != 0 || len(after.Findings) != 0 {
				t.Fatalf("audit after the rebuild: %+v", after)
			}
			again := db.runJSON(t, ExitOK, tc.index, "rebuild")
			if again.Differences != 0 || again.Repaired != 0 {
				t.Fatalf("rebuild of a repaired database: %+v", again)
			}
		})
	}
}

// TestAuditOptions checks --resource, --batch-size 1 and --max-findings on
// a corrupted database, and that a rebuild limited to one resource leaves
// the others' differences.
func TestAuditOptions(t *testing.T) {
	for _, tc := range auditCases {
		t.Run(tc.index, func(t *testing.T) {
			db := newAuditDB(t, "auditopt-"+tc.index)
			full := db.runJSON(t, ExitOK, tc.index, "audit")
			tc.corrupt(t, db)

			other := db.runJSON(t, ExitOK, tc.index, "audit", "--resource", tc.other)
			if other.Differences != 0 || other.Checked < 1 || other.Checked >= full.Checked {
				t.Errorf("--resource %s: %+v", tc.other, other)
			}
			only := db.runJSON(t, ExitFailure, tc.index, "audit", "--resource", tc.only, "--resource", tc.other)
			if got, w := findingKeys(only), db.keys(tc.onlyWant); !slices.Equal(got, w) {
				t.Errorf("--resource %s: findings\n got %q\nwant %q", tc.only, got, w)
			}

			if f := only.Findings; len(f) > 0 {
				doc := db.runJSON(t, ExitFailure, tc.index, "audit", "--document", f[0].DocumentUUID)
				if doc.Checked != 1 || doc.Differences < 1 {
					t.Errorf("--document %s: %+v", f[0].DocumentUUID, doc)
				}
			}

			batched := db.runJSON(t, ExitFailure, tc.index, "audit", "--batch-size", "1")
			if got, w := findingKeys(batched), db.keys(tc.want); !slices.Equal(got, w) || batched.Checked != full.Checked {
				t.Errorf("--batch-size 1: checked %d (want %d), findings\n got %q\nwant %q", batched.Checked, full.Checked, got, w)
			}

			capped := db.runJSON(t, ExitFailure, tc.index, "audit", "--max-findings", "1")
			if len(capped.Findings) != 1 || capped.Differences != int64(len(tc.want)) {
				t.Errorf("--max-findings 1: %+v", capped)
			}
			text := db.run(t, tc.index, "audit", "--max-findings", "1")
			mustCode(t, text, ExitFailure)
			if more := fmt.Sprintf("... and %d more differences not listed", len(tc.want)-1); !strings.Contains(text.stdout, more) {
				t.Errorf("--max-findings 1: text lacks %q:\n%s", more, text.stdout)
			}

			partial := db.runJSON(t, ExitOK, tc.index, "rebuild", "--resource", tc.only)
			if partial.Differences != int64(len(tc.onlyWant)) {
				t.Errorf("rebuild --resource %s: %+v", tc.only, partial)
			}
			rest := db.runJSON(t, ExitFailure, tc.index, "audit")
			if rest.Differences != int64(len(tc.want)-len(tc.onlyWant)) {
				t.Errorf("audit after rebuild --resource %s: %+v", tc.only, rest)
			}
		})
	}
}

// cancelOnWrite is a stderr that cancels the run's context at its first
// write (the first progress line) and keeps what was written.
type cancelOnWrite struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel context.CancelFunc
}

// Write implements io.Writer.
func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cancel()
	return w.buf.Write(p)
}

// TestAuditInterruptAndResume interrupts an audit and a rebuild after
// their first batch (the first progress line cancels the context), checks
// that the partial report carries a cursor, and that resuming from it
// covers exactly the remaining documents.
func TestAuditInterruptAndResume(t *testing.T) {
	saved := auditIsTerminal
	auditIsTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { auditIsTerminal = saved })
	for _, tc := range auditCases {
		for _, sub := range []string{"audit", "rebuild"} {
			t.Run(tc.index+"-"+sub, func(t *testing.T) {
				db := newAuditDB(t, "auditresume-"+tc.index+"-"+sub)
				tc.corrupt(t, db)
				args := []string{tc.index, sub, "--batch-size", "1", "--format", "json", "--dsn", db.env.DSN}

				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				stderr := &cancelOnWrite{cancel: cancel}
				var stdout bytes.Buffer
				code := Run(ctx, args, strings.NewReader(""), &stdout, stderr)
				r := result{code: code, stdout: stdout.String(), stderr: stderr.buf.String()}
				mustCode(t, r, ExitFailure)
				if !strings.Contains(r.stderr, tc.index+" "+sub+": Example:") || !strings.Contains(r.stderr, "interrupted") {
					t.Errorf("stderr lacks the progress line or the interruption:\n%q", r.stderr)
				}
				first := decodeAuditJSON(t, r.stdout)
				if first.Complete || first.Cursor == "" || first.Checked < 1 {
					t.Fatalf("interrupted report: %+v", first)
				}

				code = ExitFailure
				if sub == "rebuild" {
					code = ExitOK
				}
				second := db.runJSON(t, code, tc.index, sub, "--batch-size", "1", "--resume", first.Cursor)
				if !second.Complete || second.Cursor != "" {
					t.Fatalf("resumed report: %+v", second)
				}
				if sub == "audit" {
					all := db.runJSON(t, ExitFailure, tc.index, "audit")
					if first.Checked+second.Checked != all.Checked {
						t.Errorf("checked %d + %d after resuming, want %d", first.Checked, second.Checked, all.Checked)
					}
					got := append(findingKeys(first), findingKeys(second)...)
					slices.Sort(got)
					if w := db.keys(tc.want); !slices.Equal(got, w) {
						t.Errorf("findings of both runs:\n got %q\nwant %q", got, w)
					}
				} else if after := db.runJSON(t, ExitOK, tc.index, "audit"); after.Differences != 0 {
					t.Errorf("audit after an interrupted and resumed rebuild: %+v", after)
				}
			})
		}
	}
}

// TestAuditErrors checks the usage errors (exit 2) and failures (exit 1)
// of the audit commands.
func TestAuditErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no dsn", []string{"edges", "audit"}, ExitUsage, "--dsn"},
		{"no dsn rebuild", []string{"identity", "rebuild"}, ExitUsage, "--dsn"},
		{"bad subcommand", []string{"edges", "check"}, ExitUsage, `unknown command "check"`},
		{"bad subcommand identity", []string{"identity", "repair", "--dsn", "x"}, ExitUsage, "unknown"},
		{"argument", []string{"identity", "audit", "extra", "--dsn", "x"}, ExitUsage, "takes no arguments"},
		{"batch size", []string{"edges", "audit", "--dsn", "x", "--batch-size", "0"}, ExitUsage, "--batch-size"},
		{"max findings", []string{"edges", "rebuild", "--dsn", "x", "--max-findings", "-1"}, ExitUsage, "--max-findings"},
		{"format", []string{"identity", "audit", "--dsn", "x", "--format", "xml"}, ExitUsage, "--format"},
		{"unknown flag", []string{"edges", "audit", "--dsn", "x", "--documents", "1"}, ExitUsage, "--documents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.args...)
			mustCode(t, r, tc.code)
			if !strings.Contains(r.stderr, tc.msg) || r.stdout != "" {
				t.Errorf("stderr lacks %q or stdout is not empty:\nstdout:\n%s\nstderr:\n%s", tc.msg, r.stdout, r.stderr)
			}
		})
	}
}

// TestAuditErrorsWithDatabase checks the errors that need the schema set or
// the database: an unknown --resource and a bad --resume cursor (exit 2).
func TestAuditErrorsWithDatabase(t *testing.T) {
	db := newAuditDB(t, "auditerr")
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown resource", []string{"edges", "audit", "--resource", "example/nothing"}, ExitUsage, `--resource "example/nothing"`},
		{"resource without separator", []string{"identity", "audit", "--resource", "schools"}, ExitUsage, `--resource "schools"`},
		{"bad cursor", []string{"edges", "audit", "--resume", "not-a-cursor"}, ExitUsage, `--resume: "not-a-cursor"`},
		{"bad cursor identity", []string{"identity", "rebuild", "--resume", "1:x"}, ExitUsage, `--resume: "1:x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := db.run(t, tc.args...)
			mustCode(t, r, tc.code)
			if !strings.Contains(r.stderr, tc.msg) || r.stdout != "" {
				t.Errorf("stderr lacks %q or stdout is not empty:\nstdout:\n%s\nstderr:\n%s", tc.msg, r.stdout, r.stderr)
			}
		})
	}
	if n := db.count(t, `SELECT count(*) FROM "dms"."ReferenceEdge"`); n == 0 {
		t.Errorf("the seed graph has no edges")
	}
}

// auditRun is the runtime call behind an audit command.
type auditRun = func(*relstore.Store, context.Context, relstore.AuditOptions) (*relstore.Report, error)

// TestAuditStopped replaces the runtime call behind `dmsc edges` to check
// what the commands pass to it and how they report runs that stop early:
// the partial report (from the runtime's report or the last progress) with
// the cursor to resume from, the cause on stderr, exit 1; a rejected cursor
// is a usage error.
func TestAuditStopped(t *testing.T) {
	db := newAuditDB(t, "auditstop")
	saved := edgesIndex.run
	t.Cleanup(func() { edgesIndex.run = saved })
	finding := relstore.Finding{Resource: "Example:School", DocumentID: 5, DocumentUUID: "u5", Kind: "missing", Detail: "edge"}
	progress := func(opts relstore.AuditOptions) {
		opts.Progress(relstore.Progress{Resource: "Example:School", Checked: 1, Cursor: "7:1"})
		opts.Progress(relstore.Progress{Resource: "Example:School", Checked: 2, Findings: 1, Cursor: "7:2"})
	}
	for _, tc := range []struct {
		name   string
		args   []string
		run    auditRun
		code   int
		stdout []string // substrings; none means empty
		stderr string
	}{
		{
			name: "interrupted before the first batch of a resumed run",
			args: []string{"audit", "--resume", "7:3", "--format", "json"},
			run: func(*relstore.Store, context.Context, relstore.AuditOptions) (*relstore.Report, error) {
				return &relstore.Report{Findings: []relstore.Finding{}}, context.Canceled
			},
			code: ExitFailure, stdout: []string{`"cursor": "7:3"`, `"complete": false`}, stderr: "dmsc: interrupted",
		},
		{
			name: "interrupted before the first batch",
			run: func(*relstore.Store, context.Context, relstore.AuditOptions) (*relstore.Report, error) {
				return nil, fmt.Errorf("batch: %w", context.Canceled)
			},
			code: ExitFailure, stderr: "dmsc: interrupted",
		},
		{
			name: "failure without a report",
			args: []string{"audit", "--format", "json"},
			run: func(_ *relstore.Store, _ context.Context, opts relstore.AuditOptions) (*relstore.Report, error) {
				progress(opts)
				return nil, errors.New("boom")
			},
			code:   ExitFailure,
			stdout: []string{`"checked": 2`, `"differences": 1`, `"cursor": "7:2"`, `"complete": false`},
			stderr: "dmsc: edges audit: boom",
		},
		{
			name: "conflict during a rebuild",
			args: []string{"rebuild"},
			run: func(_ *relstore.Store, _ context.Context, opts relstore.AuditOptions) (*relstore.Report, error) {
				progress(opts)
				return &relstore.Report{Checked: 2, Differences: 1, Repaired: 1, Findings: []relstore.Finding{finding}, Cursor: "7:2"},
					&relstore.ConflictError{Message: "two documents, one ReferentialId"}
			},
			code:   ExitFailure,
			stdout: []string{"edges rebuild (stopped early): checked 2 documents, 1 difference, repaired 1, ", "document 5 (u5)", "resume with: --resume 7:2"},
			stderr: "dmsc: edges rebuild: conflict: two documents, one ReferentialId",
		},
		{
			name: "rejected cursor",
			args: []string{"audit", "--resume", "zz"},
			run: func(*relstore.Store, context.Context, relstore.AuditOptions) (*relstore.Report, error) {
				return nil, &relstore.ValidationError{Problems: []relstore.Problem{{Path: "resume", Message: "bad cursor"}}}
			},
			code: ExitUsage, stderr: "dmsc: --resume: bad cursor",
		},
		{
			name: "other validation error",
			args: []string{"audit", "--resume", "7:1"},
			run: func(*relstore.Store, context.Context, relstore.AuditOptions) (*relstore.Report, error) {
				return nil, &relstore.ValidationError{Problems: []relstore.Problem{{Path: "$", Message: "odd"}}}
			},
			code: ExitFailure, stderr: "dmsc: edges audit: ",
		},
		{
			name: "options",
			args: []string{"rebuild", "--resource", "example/schools", "--resource", "example:student", "--batch-size", "7", "--max-findings", "3", "--resume", "1:2"},
			run: func(_ *relstore.Store, _ context.Context, opts relstore.AuditOptions) (*relstore.Report, error) {
				got := fmt.Sprintf("%q %d %d %q %v %v", opts.Resources, opts.BatchSize, opts.MaxFindings, opts.Resume, opts.Repair, opts.Progress != nil)
				if want := `["Example:School" "Example:Student"] 7 3 "1:2" true true`; got != want {
					return nil, fmt.Errorf("options %s, want %s", got, want)
				}
				return &relstore.Report{Checked: 4}, nil
			},
			code: ExitOK, stdout: []string{"edges rebuild: checked 4 documents, 0 differences, repaired 0, "},
		},
		{
			name: "defaults",
			run: func(_ *relstore.Store, _ context.Context, opts relstore.AuditOptions) (*relstore.Report, error) {
				if opts.Resources != nil || opts.BatchSize != 1000 || opts.MaxFindings != 1000 || opts.Resume != "" || opts.Repair {
					return nil, fmt.Errorf("options %+v", opts)
				}
				return &relstore.Report{}, nil
			},
			code: ExitOK, stdout: []string{"edges audit: checked 0 documents"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edgesIndex.run = tc.run
			args := tc.args
			if len(args) == 0 {
				args = []string{"audit"}
			}
			r := db.run(t, append([]string{"edges"}, args...)...)
			mustCode(t, r, tc.code)
			for _, s := range tc.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			if len(tc.stdout) == 0 && r.stdout != "" {
				t.Errorf("stdout is not empty:\n%s", r.stdout)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, r.stderr)
			}
		})
	}
}
