package migratebench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// sources returns the shared fixtures and legacy tools (skipping without
// them).
func sources(t testing.TB) Sources {
	t.Helper()
	return Sources{Fixtures: testenv.Fixtures(t), Tools: testenv.LegacyTools(t)}
}

// TestCopyRewrite checks the rewrite on a School and a
// StudentSchoolAssociation: copy 0 is the file unchanged, copy k rewrites
// the ids and identifiers the same way in both documents, keeps
// descriptors and years, and two copies never share a value.
func TestCopyRewrite(t *testing.T) {
	src := Sources{Fixtures: testenv.Fixtures(t)}
	c, err := src.LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	find := func(rel string) *Request {
		for i := range c.Requests {
			if c.Requests[i].Rel == rel {
				return &c.Requests[i]
			}
		}
		t.Fatalf("%s is not in the load order", rel)
		return nil
	}
	decode := func(r *Request, k int) map[string]any {
		body, err := c.Body(r, k)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	school := find("ds-5.0/ed-fi/schools/001.json")
	if body, _ := c.Body(school, 0); !bytes.Equal(body, school.raw) {
		t.Error("copy 0 differs from the fixture file")
	}
	var ssa *Request
	for i := range c.Requests {
		r := &c.Requests[i]
		if strings.Contains(r.Rel, "/studentSchoolAssociations/") && strings.Contains(string(r.raw), `"schoolId"`) {
			ssa = r
			break
		}
	}
	if ssa == nil {
		t.Fatal("no StudentSchoolAssociation in the corpus")
	}
	s0, s1, s2 := decode(school, 0), decode(school, 1), decode(school, 2)
	if s1["schoolId"] == s0["schoolId"] || s1["schoolId"] == s2["schoolId"] {
		t.Errorf("schoolId not rewritten per copy: %v %v %v", s0["schoolId"], s1["schoolId"], s2["schoolId"])
	}
	if id, ok := s1["schoolId"].(float64); !ok || id >= 1<<31 {
		t.Errorf("copy 1 schoolId %v: want a 32-bit id", s1["schoolId"])
	}
	if got, want := s1["nameOfInstitution"], s0["nameOfInstitution"]; got != want {
		t.Errorf("nameOfInstitution (not an identity part) %v, want %v", got, want)
	}
	a0, a1 := decode(ssa, 0), decode(ssa, 1)
	if got, want := a1["studentReference"].(map[string]any)["studentUniqueId"], a0["studentReference"].(map[string]any)["studentUniqueId"].(string)+"-c001"; got != want {
		t.Errorf("studentUniqueId %v, want %v", got, want)
	}
	if a1["entryGradeLevelDescriptor"] != a0["entryGradeLevelDescriptor"] || a1["entryDate"] != a0["entryDate"] {
		t.Errorf("descriptor or date rewritten: %v %v", a1["entryGradeLevelDescriptor"], a1["entryDate"])
	}
	// The same original id maps to the same new id in every document.
	for _, r := range c.Requests {
		if r.Shared && !strings.Contains(r.Rel, "Descriptors/") && !strings.Contains(r.Rel, "/schoolYearTypes/") {
			t.Errorf("%s is shared but neither a descriptor nor a SchoolYearType", r.Rel)
		}
	}
	if _, err := c.Body(school, MaxCopies+1); err == nil {
		t.Errorf("copy %d accepted", MaxCopies+1)
	}
}

// TestBuildThreeCopies builds a legacy database of three copies (the
// build checks that each request of copies 1 and 2 had the outcome of the
// same request in copy 0), checks its document count and migrates it:
// every document but the 64 per copy beyond DS 5.0's 32-bit ids is
// copied and verifies.
func TestBuildThreeCopies(t *testing.T) {
	base := testenv.PostgresDSN(t)
	src := sources(t)
	s := Scale{Name: "test3", Copies: 3}
	var log bytes.Buffer
	w := io.Writer(&log)
	if testing.Verbose() {
		w = io.MultiWriter(&log, os.Stderr)
	}
	dsn, stats, err := EnsureLegacy(t.Context(), base, s, src, w)
	t.Cleanup(func() { testenv.DropPostgresDatabase(t, base, DatabaseName(s)) })
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if stats == nil {
		t.Fatal("a leftover database was reused")
	}
	const corpus, perCopy = 818, 655
	if want := int64(corpus + 2*perCopy); stats.Documents != want {
		t.Errorf("%d legacy documents, want %d (%v)", stats.Documents, want, stats.Outcomes)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var uuids, traces int64
	if err := conn.QueryRow(t.Context(), `SELECT count(DISTINCT DocumentUuid), count(DISTINCT LastModifiedTraceId) FROM dms.Document`).Scan(&uuids, &traces); err != nil {
		t.Fatal(err)
	}
	if uuids != stats.Documents || traces != stats.Documents {
		t.Errorf("%d distinct DocumentUuids and %d trace ids for %d documents", uuids, traces, stats.Documents)
	}
	if _, again, err := EnsureLegacy(t.Context(), base, s, src, io.Discard); err != nil || again != nil {
		t.Errorf("second EnsureLegacy rebuilt the database (err %v)", err)
	}
	const rejectedPerCopy = 64
	migrateGenerated(t, base, dsn, corpus-rejectedPerCopy+2*(perCopy-rejectedPerCopy), 3*rejectedPerCopy)
}
