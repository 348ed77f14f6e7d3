package relstore_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// TestReadOrderIndependentOfRowOrder: the read statements sort nothing;
// documents, collection items and nested items come out in order however
// the server returns the rows. Index scans are off, so the child arms scan
// the heap, where the first address period and the first school are
// moved behind the others.
func TestReadOrderIndependentOfRowOrder(t *testing.T) {
	env := relstoretest.NewWithModel(t, "roworder", relstoretest.Compile(t), relstore.Options{}, func(c *pgxpool.Config) {
		c.ConnConfig.RuntimeParams["enable_indexscan"] = "off"
		c.ConnConfig.RuntimeParams["enable_bitmapscan"] = "off"
		c.ConnConfig.RuntimeParams["enable_indexonlyscan"] = "off"
	})
	st, ctx := env.Store, t.Context()
	ids := make([]string, len(seed))
	for i, d := range seed {
		ids[i] = mustUpsert(t, st, d.pe, d.ep, d.body).ID
	}
	second := mustUpsert(t, st, "example", "schools", `{"schoolId":255901002,"nameOfInstitution":"Grand Bend Middle","localEducationAgencyReference":{"localEducationAgencyId":255901},
	  "gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"},{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}],
	  "addresses":[{"addressTypeDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#Mailing","streetNumberName":"2 Main","city":"Austin","periods":[{"beginDate":"2019-01-01"},{"beginDate":"2022-01-01"},{"beginDate":"2023-01-01"}]}]}`).ID
	read := func() (string, string, string) {
		t.Helper()
		a, err := st.Get(ctx, "example", "schools", ids[6])
		if err != nil {
			t.Fatal(err)
		}
		b, err := st.Get(ctx, "example", "schools", second)
		if err != nil {
			t.Fatal(err)
		}
		page, err := st.Query(ctx, "example", "schools", relstore.QueryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var all string
		for _, d := range page.Documents {
			all += string(d.JSON) + "\n"
		}
		return string(a.JSON), string(b.JSON), all
	}
	a0, b0, page0 := read()
	// Every first row moves to the end of its heap.
	for _, sql := range []string{
		`UPDATE "example"."SchoolAddressPeriod" SET "EndDate" = "EndDate" WHERE "Ordinal" = 0`,
		`UPDATE "example"."School" SET "NameOfInstitution" = "NameOfInstitution" WHERE "SchoolId" = 255901001`,
		`UPDATE "dms"."Document" SET "Etag" = "Etag" WHERE "DocumentId" = (SELECT min("DocumentId") FROM "example"."School")`,
	} {
		if _, err := env.Pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	var physical []int32
	rows, err := env.Pool.Query(ctx, `SELECT "Ordinal" FROM "example"."SchoolAddressPeriod" WHERE "School_DocumentId" = (SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid)`, second)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o int32
		if err := rows.Scan(&o); err != nil {
			t.Fatal(err)
		}
		physical = append(physical, o)
	}
	if len(physical) != 3 || physical[0] == 0 {
		t.Fatalf("heap order of the periods %v: the test no longer reorders them", physical)
	}
	a1, b1, page1 := read()
	if a1 != a0 || b1 != b0 || page1 != page0 {
		t.Errorf("bodies depend on the server's row order:\nbefore\n%s\n%s\n%s\nafter\n%s\n%s\n%s", a0, b0, page0, a1, b1, page1)
	}
}
