package runtime_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/runtime"
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
		q        runtime.QueryOptions
		want     want
	}{
		{"all", "students", runtime.QueryOptions{TotalCount: true, Limit: 100}, want{13, 13}},
		{"scalar string", "students", runtime.QueryOptions{Filters: []runtime.Filter{{Name: "lastSurname", Value: "Odd"}}, TotalCount: true}, want{6, 6}},
		{"scalar date", "students", runtime.QueryOptions{Filters: []runtime.Filter{{Name: "birthDate", Value: "2011-02-01"}}, TotalCount: true}, want{4, 4}},
		{"two filters", "students", runtime.QueryOptions{Filters: []runtime.Filter{{Name: "birthDate", Value: "2011-02-01"}, {Name: "lastSurname", Value: "Odd"}}, TotalCount: true}, want{2, 2}},
		{"limit and total", "students", runtime.QueryOptions{Limit: 5, TotalCount: true}, want{5, 13}},
		{"offset", "students", runtime.QueryOptions{Limit: 5, Offset: 10}, want{3, -1}},
		{"descriptor (case-insensitive)", "programs", runtime.QueryOptions{Filters: []runtime.Filter{{Name: "programTypeDescriptor", Value: "uri://ed-fi.org/programtypedescriptor#career"}}, TotalCount: true}, want{2, 2}},
		{"abstract reference (full identity)", "programs", runtime.QueryOptions{Filters: []runtime.Filter{{Name: "educationOrganizationId", Value: "255901"}}}, want{1, -1}},
		{"reference (full identity)", "studentSchoolAssociations", runtime.QueryOptions{Filters: []runtime.Filter{{Name: "studentUniqueId", Value: "S1"}}}, want{1, -1}},
		{"reference, no match", "studentSchoolAssociations", runtime.QueryOptions{Filters: []runtime.Filter{{Name: "schoolId", Value: "1"}}}, want{0, -1}},
		{"descriptor resource", "gradeLevelDescriptors", runtime.QueryOptions{Filters: []runtime.Filter{{Name: "codeValue", Value: "Ninth Grade"}}, TotalCount: true}, want{1, 1}},
		{"empty", "students", runtime.QueryOptions{Filters: []runtime.Filter{{Name: "lastSurname", Value: "None"}}, TotalCount: true}, want{0, 0}},
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
	p, err := st.Query(t.Context(), "example", "schools", runtime.QueryOptions{Filters: []runtime.Filter{{Name: "schoolId", Value: "255901001"}}})
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
		p, err := st.Query(t.Context(), "example", "students", runtime.QueryOptions{Limit: 4, After: after})
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
	for _, q := range []runtime.QueryOptions{
		{Filters: []runtime.Filter{{Name: "nope", Value: "1"}}},
		{Filters: []runtime.Filter{{Name: "birthDate", Value: "yesterday"}}},
		{Limit: runtime.MaxLimit + 1},
		{Offset: -1},
		{After: "x"},
	} {
		_, err := st.Query(t.Context(), "example", "students", q)
		var ve *runtime.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("query %+v: %v, want a ValidationError", q, err)
		}
	}
	if _, err := st.Query(t.Context(), "example", "nothing", runtime.QueryOptions{}); !errors.Is(err, runtime.ErrNotFound) {
		t.Errorf("unknown resource: %v", err)
	}
}
