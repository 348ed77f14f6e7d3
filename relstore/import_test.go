package relstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// TestImportKeepsMetadata: an import keeps the DocumentUuid, CreatedAt and
// LastModifiedAt it is given (GET shows them as id and
// _lastModifiedDate), gets ETag 1, resolves references, writes edges and
// identity like a POST, and reads back equal; a batch is one transaction
// with the caller's finish statement; an existing DocumentUuid or natural
// key is refused, never overwritten.
func TestImportKeepsMetadata(t *testing.T) {
	env := relstoretest.New(t, "import")
	ctx := t.Context()
	created := time.Date(2024, 2, 3, 4, 5, 6, 789000, time.UTC)
	modified := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	const lea = "0b0f7f5e-3c56-4c4b-9f53-2a6f3e0c6d01"
	items := []relstore.ImportItem{
		{ProjectEndpoint: "example", Endpoint: "gradeLevelDescriptors", Document: relstore.ImportDocument{UUID: "1e7f2c1a-8d7e-4b55-a1a0-6f0c7a3b9e02", CreatedAt: created, LastModifiedAt: modified,
			Body: []byte(`{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Tenth Grade","shortDescription":"10th","id":"x","_etag":"old"}`)}},
		{ProjectEndpoint: "example", Endpoint: "localEducationAgencies", Document: relstore.ImportDocument{UUID: strings.ToUpper(lea), CreatedAt: created, LastModifiedAt: modified,
			Body: []byte(`{"localEducationAgencyId":255901,"nameOfInstitution":"Grand Bend ISD","_lastModifiedDate":"2020-01-01T00:00:00Z"}`)}},
		{ProjectEndpoint: "example", Endpoint: "schools", Document: relstore.ImportDocument{UUID: "5a8c1d2e-4f60-4a7b-8c9d-0e1f2a3b4c05", CreatedAt: created.Add(time.Second), LastModifiedAt: modified.Add(time.Hour),
			Body: []byte(`{"schoolId":255901001,"nameOfInstitution":"Grand Bend High","localEducationAgencyReference":{"localEducationAgencyId":255901},"gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}]}`)}},
	}
	finished := false
	res, err := env.Store.ImportBatch(ctx, items, func(ctx context.Context, tx pgx.Tx) error {
		finished = true
		_, err := tx.Exec(ctx, `CREATE TABLE "public"."ImportMark" (n int); INSERT INTO "public"."ImportMark" VALUES (1)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !finished || len(res) != 3 || res[1].ID != lea || !res[1].Created || res[1].ETag != "1" || !res[1].LastModified.Equal(modified) {
		t.Fatalf("results %+v", res)
	}
	got, err := env.Store.Get(ctx, "example", "schools", items[2].Document.UUID)
	if err != nil {
		t.Fatal(err)
	}
	assertRoundTrip(t, string(items[2].Document.Body), got.JSON)
	if got.ETag != "1" || !strings.Contains(string(got.JSON), `"_lastModifiedDate":"2024-05-06T08:08:09Z"`) || !strings.Contains(string(got.JSON), `"id":"5a8c1d2e-4f60-4a7b-8c9d-0e1f2a3b4c05"`) {
		t.Errorf("GET %s (etag %s)", got.JSON, got.ETag)
	}
	var c time.Time
	if err := env.Pool.QueryRow(ctx, `SELECT "CreatedAt" FROM "dms"."Document" WHERE "DocumentUuid" = $1`, lea).Scan(&c); err != nil || !c.Equal(created) {
		t.Errorf("CreatedAt %v (%v), want %v", c, err, created)
	}
	if n := count(t, env, `SELECT count(*) FROM "dms"."ReferenceEdge"`); n != 2 {
		t.Errorf("%d edges, want 2 (school → LEA, school → descriptor)", n)
	}
	if n := count(t, env, `SELECT count(*) FROM "public"."ImportMark"`); n != 1 {
		t.Errorf("finish ran %d times", n)
	}

	before := snapshot(t, env)
	// The same DocumentUuid under another natural key, and the same
	// natural key under another DocumentUuid: refused.
	_, err = env.Store.Import(ctx, "example", "localEducationAgencies", relstore.ImportDocument{UUID: lea, CreatedAt: created, LastModifiedAt: modified,
		Body: []byte(`{"localEducationAgencyId":7,"nameOfInstitution":"Other"}`)})
	var ee *relstore.ImportExistsError
	if !errors.As(err, &ee) || ee.Existing != "" {
		t.Errorf("same DocumentUuid: %v", err)
	}
	_, err = env.Store.Import(ctx, "example", "localEducationAgencies", relstore.ImportDocument{UUID: "9d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b06", CreatedAt: created, LastModifiedAt: modified,
		Body: []byte(`{"localEducationAgencyId":255901,"nameOfInstitution":"Renamed"}`)})
	if !errors.As(err, &ee) || ee.Existing != lea {
		t.Errorf("same natural key: %v", err)
	}
	// A batch whose second item does not resolve writes nothing.
	_, err = env.Store.ImportBatch(ctx, []relstore.ImportItem{
		{ProjectEndpoint: "example", Endpoint: "localEducationAgencies", Document: relstore.ImportDocument{UUID: "2d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b07", CreatedAt: created, LastModifiedAt: modified,
			Body: []byte(`{"localEducationAgencyId":8,"nameOfInstitution":"Fine"}`)}},
		{ProjectEndpoint: "example", Endpoint: "schools", Document: relstore.ImportDocument{UUID: "3d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b08", CreatedAt: created, LastModifiedAt: modified,
			Body: []byte(`{"schoolId":9,"nameOfInstitution":"X","localEducationAgencyReference":{"localEducationAgencyId":404},"gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}]}`)}},
	}, nil)
	var be *relstore.ImportBatchError
	var re *relstore.ReferenceError
	if !errors.As(err, &be) || be.Index != 1 || !errors.As(err, &re) {
		t.Errorf("batch with an unresolved reference: %v", err)
	}
	if after := snapshot(t, env); after != before {
		t.Errorf("refused imports wrote: %s → %s", before, after)
	}
}
