package relstore_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// TestQuery covers every filter kind, paging (offset, keyset) and counts.
func TestQuery(t *testing.T) {
	env, ids := seeded(t, "query")
	st := env.Store
	for i := 0; i < 12; i++ {
		mustUpsert(t, st, "example", "students", fmt.Sprintf(`{"studentUniqueId":"Q%02d","firstName":"F","lastSurname":"%s","birthDate":"2011-0%d-01"}`, i, []string{"Even", "Odd"}[i%2], 1+i%3))
	}
	type want struct {
		n     int
		total int64
	}
	cases := []struct {
		name, ep string
		q        relstore.QueryOptions
		want     want
	}{
		{"all", "students", relstore.QueryOptions{TotalCount: true, Limit: 100}, want{13, 13}},
		{"scalar string", "students", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "lastSurname", Value: "Odd"}}, TotalCount: true}, want{6, 6}},
		{"scalar date", "students", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "birthDate", Value: "2011-02-01"}}, TotalCount: true}, want{4, 4}},
		{"two filters", "students", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "birthDate", Value: "2011-02-01"}, {Name: "lastSurname", Value: "Odd"}}, TotalCount: true}, want{2, 2}},
		{"limit and total", "students", relstore.QueryOptions{Limit: 5, TotalCount: true}, want{5, 13}},
		{"offset", "students", relstore.QueryOptions{Limit: 5, Offset: 10}, want{3, -1}},
		{"descriptor (case-insensitive)", "programs", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "programTypeDescriptor", Value: "uri://ed-fi.org/programtypedescriptor#career"}}, TotalCount: true}, want{2, 2}},
		{"abstract reference (full identity)", "programs", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "educationOrganizationId", Value: "255901"}}}, want{1, -1}},
		{"reference (full identity)", "studentSchoolAssociations", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "studentUniqueId", Value: "S1"}}}, want{1, -1}},
		{"reference, no match", "studentSchoolAssociations", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "schoolId", Value: "1"}}}, want{0, -1}},
		{"descriptor resource", "gradeLevelDescriptors", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "codeValue", Value: "Ninth Grade"}}, TotalCount: true}, want{1, 1}},
		{"empty", "students", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "lastSurname", Value: "None"}}, TotalCount: true}, want{0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := st.Query(t.Context(), "example", c.ep, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Documents) != c.want.n || p.Total != c.want.total {
				t.Errorf("%d documents, total %d; want %d, %d", len(p.Documents), p.Total, c.want.n, c.want.total)
			}
			for _, d := range p.Documents {
				if _, err := jsonvalue.Decode(d.JSON); err != nil || d.ID == "" || d.ETag == "" {
					t.Errorf("bad document %s: %v", d.JSON, err)
				}
			}
		})
	}
	// A query page holds the same bodies as GET.
	p, err := st.Query(t.Context(), "example", "schools", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "schoolId", Value: "255901001"}}})
	if err != nil || len(p.Documents) != 1 {
		t.Fatalf("school query: %v", err)
	}
	got, _ := st.Get(t.Context(), "example", "schools", ids[6])
	if string(p.Documents[0].JSON) != string(got.JSON) {
		t.Errorf("query body differs from GET:\n%s\n%s", p.Documents[0].JSON, got.JSON)
	}
	// Keyset paging visits every student exactly once.
	seen := map[string]bool{}
	after := ""
	for pages := 0; pages < 10; pages++ {
		p, err := st.Query(t.Context(), "example", "students", relstore.QueryOptions{Limit: 4, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Documents {
			if seen[d.ID] {
				t.Errorf("keyset paging returned %s twice", d.ID)
			}
			seen[d.ID] = true
		}
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	if len(seen) != 13 {
		t.Errorf("keyset paging saw %d students, want 13", len(seen))
	}
	// Bad requests.
	for _, q := range []relstore.QueryOptions{
		{Filters: []relstore.Filter{{Name: "nope", Value: "1"}}},
		{Filters: []relstore.Filter{{Name: "birthDate", Value: "yesterday"}}},
		{Limit: relstore.MaxLimit + 1},
		{Offset: -1},
		{After: "x"},
	} {
		_, err := st.Query(t.Context(), "example", "students", q)
		var ve *relstore.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("query %+v: %v, want a ValidationError", q, err)
		}
	}
	if _, err := st.Query(t.Context(), "example", "nothing", relstore.QueryOptions{}); !errors.Is(err, relstore.ErrNotFound) {
		t.Errorf("unknown resource: %v", err)
	}
}

// TestQueryHostileValues: every filter value reaches SQL only after the
// checks a document's value passes, so a value that cannot match its
// column's type is a 400 naming the field, never a database error (500),
// and a repeated field is refused rather than silently combined.
func TestQueryHostileValues(t *testing.T) {
	env, _ := seeded(t, "queryhostile")
	st := env.Store
	long := strings.Repeat("x", 5000)
	cases := []struct{ name, ep, field, value string }{
		{"NaN integer", "schools", "schoolId", "NaN"},
		{"Inf integer", "schools", "schoolId", "Inf"},
		{"-Infinity integer", "schools", "schoolId", "-Infinity"},
		{"fraction for an integer", "schools", "schoolId", "1.5"},
		{"beyond int32", "schools", "schoolId", "99999999999"},
		{"hex", "schools", "schoolId", "0x10"},
		{"rational", "schools", "schoolId", "1/2"},
		{"empty integer", "schools", "schoolId", ""},
		{"reference integer beyond int32", "schools", "localEducationAgencyId", "99999999999"},
		{"abstract reference NaN", "programs", "educationOrganizationId", "NaN"},
		{"year 0", "students", "birthDate", "0000-01-01"},
		{"month 13", "students", "birthDate", "2010-13-01"},
		{"date with time", "students", "birthDate", "2010-01-01T00:00:00Z"},
		{"one-digit month", "students", "birthDate", "2010-1-01"},
		{"NUL in a string", "students", "lastSurname", "a\x00b"},
		{"invalid UTF-8", "students", "lastSurname", "a\xffb"},
		{"string past maxLength", "students", "lastSurname", long},
		{"NUL in a descriptor", "programs", "programTypeDescriptor", "uri://x#\x00"},
		{"invalid UTF-8 in a descriptor", "programs", "programTypeDescriptor", "uri://x#\xc3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := st.Query(t.Context(), "example", c.ep, relstore.QueryOptions{Filters: []relstore.Filter{{Name: c.field, Value: c.value}}})
			var ve *relstore.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Path != c.field {
				t.Fatalf("error %v (status %d), want one validation problem at %s", err, relstore.StatusCode(err), c.field)
			}
			if len(ve.Problems[0].Message) > 200 {
				t.Errorf("the message echoes the whole value (%d bytes)", len(ve.Problems[0].Message))
			}
		})
	}
	t.Run("repeated field", func(t *testing.T) {
		_, err := st.Query(t.Context(), "example", "students", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "lastSurname", Value: "Lee"}, {Name: "lastSurname", Value: "Kim"}}})
		var ve *relstore.ValidationError
		if !errors.As(err, &ve) || ve.Problems[0].Path != "lastSurname" || !strings.Contains(ve.Problems[0].Message, "more than once") {
			t.Errorf("error %v, want a validation problem at lastSurname", err)
		}
	})
	// Values in range still match: 1e3 is the integer 1000, and a
	// descriptor URI compares case-insensitively.
	for _, f := range []relstore.Filter{{Name: "schoolId", Value: "2.55901001e8"}, {Name: "schoolId", Value: "255901001"}} {
		p, err := st.Query(t.Context(), "example", "schools", relstore.QueryOptions{Filters: []relstore.Filter{f}})
		if err != nil || len(p.Documents) != 1 {
			t.Errorf("schoolId=%s: %d documents, %v; want the seeded school", f.Value, len(p.Documents), err)
		}
	}
}
