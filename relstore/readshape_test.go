package relstore_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// plainSchool is a School whose only collection is its grade levels: its
// address, period, tag and shuttle-stop tables hold no row of it.
const plainSchool = `{"schoolId":300,"nameOfInstitution":"Plain","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]}`

// TestReadShapes: a store reads a document it has read before with the
// arms of the tables that held its rows, in one round trip; when another
// process (a second store, with a memory of its own) has since filled
// tables the remembered shape leaves out, the statement's Etag tells, and
// the document is read again whole — never a body without the new rows.
// The store's own writes and deletes forget the shape; a deleted document
// is not found by the shape's statement either.
func TestReadShapes(t *testing.T) {
	env, _ := seeded(t, "read_shapes")
	st, c := env.Store, env.Counter
	other, err := relstore.Open(t.Context(), env.Manifest, env.Pool, relstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := mustUpsert(t, other, "example", "schools", plainSchool)
	step := 0
	get := func(want relstore.ShapeStats, trips int64, body string) []byte {
		t.Helper()
		step++
		before := st.ShapeStats()
		c.Reset()
		doc, err := st.Get(t.Context(), "example", "schools", res.ID)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		after := st.ShapeStats()
		got := relstore.ShapeStats{Hits: after.Hits - before.Hits, Stale: after.Stale - before.Stale, Misses: after.Misses - before.Misses}
		if got != want || c.Count() != trips {
			t.Errorf("step %d: %+v in %d round trips, want %+v in %d", step, got, c.Count(), want, trips)
		}
		assertRoundTrip(t, body, doc.JSON)
		return doc.JSON
	}
	miss, hit, stale := relstore.ShapeStats{Misses: 1}, relstore.ShapeStats{Hits: 1}, relstore.ShapeStats{Stale: 1}
	first := get(miss, 1, plainSchool)
	if again := get(hit, 1, plainSchool); !bytes.Equal(again, first) {
		t.Errorf("the shape's body differs:\n%s\nwant\n%s", again, first)
	}
	// Another process fills the address, period, tag and stop tables.
	big := bigSchool(300, 2)
	mustUpsert(t, other, "example", "schools", big)
	get(stale, 2, big)
	// Every table of the school now holds rows: the full statement is
	// its shape's, and nothing is remembered.
	get(miss, 1, big)
	mustUpsert(t, st, "example", "schools", plainSchool)
	get(miss, 1, plainSchool)
	get(hit, 1, plainSchool)
	// The store's own write forgets the shape it remembered: one round
	// trip, not a stale shape's two.
	renamed := strings.Replace(plainSchool, `"Plain"`, `"Renamed"`, 1)
	mustUpsert(t, st, "example", "schools", renamed)
	get(miss, 1, renamed)
	get(hit, 1, renamed)
	if err := other.Delete(t.Context(), "example", "schools", res.ID, ""); err != nil {
		t.Fatal(err)
	}
	c.Reset()
	if _, err := st.Get(t.Context(), "example", "schools", res.ID); !errors.Is(err, relstore.ErrNotFound) || c.Count() != 1 {
		t.Fatalf("GET of a document deleted elsewhere: %v in %d round trips, want not found in 1", err, c.Count())
	}
}

// TestReadShapeOfAReadOvertaken: a write that commits after a GET's
// statement read the document and before the store remembers its shape
// (a hook after the statement) leaves the store remembering the older
// Etag, so the next GET reads the document whole and returns the new
// rows.
func TestReadShapeOfAReadOvertaken(t *testing.T) {
	env, _ := seeded(t, "read_shape_overtaken")
	ctx := t.Context()
	res := mustUpsert(t, env.Store, "example", "schools", plainSchool)
	big := bigSchool(300, 2)
	hook := &afterStatement{marker: `"example"."SchoolAddressPeriod"`, hook: func() {
		mustUpsert(t, env.Store, "example", "schools", big)
	}}
	st := tracedStore(t, env, hook, relstore.Options{})
	doc, err := st.Get(ctx, "example", "schools", res.ID)
	if err != nil || !hook.done.Load() {
		t.Fatalf("first GET: %v (hook ran: %v)", err, hook.done.Load())
	}
	assertRoundTrip(t, plainSchool, doc.JSON)
	if doc, err = st.Get(ctx, "example", "schools", res.ID); err != nil {
		t.Fatal(err)
	}
	assertRoundTrip(t, big, doc.JSON)
	if s := st.ShapeStats(); s.Stale != 1 || s.Misses != 1 {
		t.Errorf("shape stats %+v, want 1 miss then 1 stale", s)
	}
}

// TestReadShapeForgottenByACascade: an identity cascade of the store's
// own write forgets the shapes of the documents whose ETags it bumped,
// so the next GET of such a document reads it whole in one round trip
// (a stale shape would take two) and shows the new identity.
func TestReadShapeForgottenByACascade(t *testing.T) {
	env, _ := seeded(t, "read_shape_cascade")
	st, c := env.Store, env.Counter
	// An association without programs: its programs table holds none of
	// its rows, so its shape is remembered.
	student := mustUpsert(t, st, "example", "students", `{"studentUniqueId":"S9","firstName":"Ana","lastSurname":"Lee","birthDate":"2010-05-01"}`).ID
	ssa := mustUpsert(t, st, "example", "studentSchoolAssociations", `{"studentReference":{"studentUniqueId":"S9"},"schoolReference":{"schoolId":255901001},"entryDate":"2024-08-20","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}`).ID
	get := func(want relstore.ShapeStats, trips int64) string {
		t.Helper()
		before := st.ShapeStats()
		c.Reset()
		doc, err := st.Get(t.Context(), "example", "studentSchoolAssociations", ssa)
		if err != nil {
			t.Fatal(err)
		}
		after := st.ShapeStats()
		got := relstore.ShapeStats{Hits: after.Hits - before.Hits, Stale: after.Stale - before.Stale, Misses: after.Misses - before.Misses}
		if got != want || c.Count() != trips {
			t.Errorf("%+v in %d round trips, want %+v in %d", got, c.Count(), want, trips)
		}
		return string(doc.JSON)
	}
	get(relstore.ShapeStats{Misses: 1}, 1)
	get(relstore.ShapeStats{Hits: 1}, 1)
	if _, err := st.Update(t.Context(), "example", "students", student, []byte(`{"studentUniqueId":"S9b","firstName":"Ana","lastSurname":"Lee","birthDate":"2010-05-01"}`), ""); err != nil {
		t.Fatal(err)
	}
	if body := get(relstore.ShapeStats{Misses: 1}, 1); !strings.Contains(body, `"studentUniqueId":"S9b"`) {
		t.Errorf("the association after the cascade: %s", body)
	}
}
