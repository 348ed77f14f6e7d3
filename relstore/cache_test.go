package relstore_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// TestDocumentCache: with the cache on, a GET stores the assembled body, a
// second GET serves it from dms.DocumentCache (one statement, no
// reassembly), and any change of representation — a write or an identity
// cascade from a referenced document — makes the row stale so the next GET
// reassembles.
func TestDocumentCache(t *testing.T) {
	env, ids := seeded(t, "cache")
	st, err := relstore.Open(t.Context(), env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	if err != nil {
		t.Fatal(err)
	}
	get := func(ep, id string) relstore.Document {
		t.Helper()
		d, err := st.Get(t.Context(), "example", ep, id)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := get("studentSchoolAssociations", ids[10])
	if n := count(t, env, `SELECT count(*) FROM "dms"."DocumentCache"`); n != 1 {
		t.Fatalf("%d cache rows after one GET", n)
	}
	env.Counter.Reset()
	second := get("studentSchoolAssociations", ids[10])
	if env.Counter.Statements() != 1 {
		t.Errorf("cache hit took %d statements", env.Counter.Statements())
	}
	assertRoundTrip(t, seed[10].body, second.JSON)
	if second.ETag != first.ETag || !second.LastModified.Equal(first.LastModified) || second.LastModified.Location() != time.UTC {
		t.Errorf("etag %s then %s, last modified %v then %v", first.ETag, second.ETag, first.LastModified, second.LastModified)
	}
	// A cascade from the student makes the association's row stale.
	if _, err := st.Update(t.Context(), "example", "students", ids[9], []byte(`{"studentUniqueId":"S1-new","firstName":"Ana","lastSurname":"Lee","birthDate":"2010-05-01"}`), ""); err != nil {
		t.Fatal(err)
	}
	third := get("studentSchoolAssociations", ids[10])
	if !strings.Contains(string(third.JSON), "S1-new") || third.ETag == second.ETag {
		t.Errorf("after the cascade GET returned etag %s: %s", third.ETag, third.JSON)
	}
	// The cached body is the assembled one byte for byte: the ETag is
	// strong, so one ETag names one representation (a jsonb column gave
	// its own key order and spacing).
	fourth := get("studentSchoolAssociations", ids[10])
	if !bytes.Equal(third.JSON, fourth.JSON) {
		t.Errorf("the cached body differs from the assembled one:\n%s\n%s", third.JSON, fourth.JSON)
	}
	// A page serves the cached body with the id, ETag and last-modified
	// time the tables give (the cache row is decoded from its wire form).
	cachedPage, err := st.Query(t.Context(), "example", "studentSchoolAssociations", relstore.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plainPage, err := env.Store.Query(t.Context(), "example", "studentSchoolAssociations", relstore.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cachedPage.Documents) != len(plainPage.Documents) || len(cachedPage.Documents) == 0 {
		t.Fatalf("%d documents through the cache, %d without", len(cachedPage.Documents), len(plainPage.Documents))
	}
	for i, c := range cachedPage.Documents {
		p := plainPage.Documents[i]
		if c.ID != p.ID || c.ETag != p.ETag || !c.LastModified.Equal(p.LastModified) {
			t.Errorf("page document %d: %s %s %v through the cache, %s %s %v without", i, c.ID, c.ETag, c.LastModified, p.ID, p.ETag, p.LastModified)
		}
		if !bytes.Equal(c.JSON, p.JSON) {
			t.Errorf("page document %d: through the cache\n%s\nwithout\n%s", i, c.JSON, p.JSON)
		}
	}
	// Deleting the document removes its cache row.
	if err := st.Delete(t.Context(), "example", "studentSchoolAssociations", ids[10], ""); err != nil {
		t.Fatal(err)
	}
	if n := count(t, env, `SELECT count(*) FROM "dms"."DocumentCache" c JOIN "dms"."Document" d USING ("DocumentId") WHERE d."DocumentUuid" = $1::uuid`, ids[10]); n != 0 {
		t.Errorf("cache row of a deleted document: %d", n)
	}
}
