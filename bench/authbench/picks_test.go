package authbench

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// pick is one stored document the benchmarks read or write: its id and
// the student (k) it belongs to.
type pick struct {
	id string
	k  int
}

// picks are school 0 and its students and their associations: documents
// every benchmarked grant allows (each grant includes school 0), so GET
// and PUT measure the allowed path.
type picks struct {
	school   pick
	students []pick
	ssas     []pick
}

// picks finds the picked documents (once) and removes associations an
// interrupted earlier run created.
func (e *benchEnv) getPicks(tb testing.TB) *picks {
	tb.Helper()
	e.mu.Lock()
	p := e.picks
	e.mu.Unlock()
	if p != nil {
		return p
	}
	st := e.store(tb, planGeneric).st
	ctx := context.Background()
	one := func(endpoint string, filters ...relstore.Filter) string {
		page, err := st.Query(ctx, ProjectEndpoint, endpoint, relstore.QueryOptions{Filters: filters, Limit: 2})
		if err != nil || len(page.Documents) != 1 {
			tb.Fatalf("find %s %v: %d documents, %v", endpoint, filters, len(page.Documents), err)
		}
		return page.Documents[0].ID
	}
	school := strconv.FormatInt(e.scale.SchoolID(0), 10)
	p = &picks{school: pick{id: one("schools", relstore.Filter{Name: "schoolId", Value: school})}}
	for k := 0; k < e.scale.StudentsPerSchool; k++ {
		p.students = append(p.students, pick{id: one("students", relstore.Filter{Name: "studentUniqueId", Value: StudentUniqueID(k)}), k: k})
		// (DS 5.0's schoolId query field of associations reads
		// nextYearSchoolReference: a student has one association on
		// EntryDate.)
		p.ssas = append(p.ssas, pick{id: one("studentSchoolAssociations",
			relstore.Filter{Name: "studentUniqueId", Value: StudentUniqueID(k)},
			relstore.Filter{Name: "entryDate", Value: EntryDate}), k: k})
	}
	e.removeCreated(tb)
	e.mu.Lock()
	e.picks = p
	e.mu.Unlock()
	return p
}

// removeCreated deletes the associations an interrupted earlier run
// created: those entering on createdBase and the days after it, up to the
// first day without any.
func (e *benchEnv) removeCreated(tb testing.TB) {
	tb.Helper()
	st := e.store(tb, planGeneric).st
	ctx := context.Background()
	for day := 0; ; day++ {
		date := createdBase.AddDate(0, 0, day).Format(time.DateOnly)
		var ids []string
		after := ""
		for {
			page, err := st.Query(ctx, ProjectEndpoint, "studentSchoolAssociations", relstore.QueryOptions{
				Filters: []relstore.Filter{{Name: "entryDate", Value: date}}, Limit: relstore.MaxLimit, After: after})
			if err != nil {
				tb.Fatal(err)
			}
			for _, d := range page.Documents {
				ids = append(ids, d.ID)
			}
			if after = page.Next; after == "" {
				break
			}
		}
		if len(ids) == 0 {
			return
		}
		e.deleteAll(tb, "studentSchoolAssociations", ids)
	}
}

// createdSeq numbers the associations the write benchmarks create.
var createdSeq atomic.Int64

// createdBase is the first entryDate of created associations.
var createdBase = time.Date(2030, 6, 30, 0, 0, 0, 0, time.UTC)

// newSSABody returns the body of a new association at school 0 that no
// other document has: student seq mod students, entering seq/students
// days after createdBase.
func (e *benchEnv) newSSABody() []byte {
	seq := int(createdSeq.Add(1) - 1)
	n := e.scale.Students()
	date := createdBase.AddDate(0, 0, seq/n).Format(time.DateOnly)
	return SSABody(e.scale, seq%n, 0, date, false)
}

// deleteAll deletes the documents of endpoint by id, without a grant.
func (e *benchEnv) deleteAll(tb testing.TB, endpoint string, ids []string) {
	tb.Helper()
	st := e.store(tb, planGeneric).st
	for _, id := range ids {
		if err := st.Delete(context.Background(), ProjectEndpoint, endpoint, id, ""); err != nil {
			tb.Fatalf("DELETE /%s/%s/%s: %v", ProjectEndpoint, endpoint, id, err)
		}
	}
}

// String describes a pick for failure messages.
func (p pick) String() string { return fmt.Sprintf("%s (student %d)", p.id, p.k) }
