package ddl

import (
	"fmt"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/internal/pgtest"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
)

// TestAuthEdOrgViews fills the EdOrg tables and the closure of a small
// hierarchy by hand (SEA 1 → LEA 10 → schools 100, 101; LEA 11 → school
// 110) and checks what each EdOrg view answers for a claim: descendants
// with itself, ancestors with itself (inverted), and the closure in ids.
func TestAuthEdOrgViews(t *testing.T) {
	ctx := t.Context()
	c := schemacase.Example(t)
	conn := pgtest.Connect(t, pgtest.NewDatabase(t, "ddl", "auth_views"))
	if err := pgtest.ExecScript(ctx, conn, c.Script(t, model.PgSQL, Render)); err != nil {
		t.Fatal(err)
	}
	parent := map[int64]int64{10: 1, 11: 1, 100: 10, 101: 10, 110: 11}
	ids := []int64{1, 10, 11, 100, 101, 110}
	batch := &pgx.Batch{}
	for _, id := range ids { // DocumentId = EducationOrganizationId + 1000
		batch.Queue(`INSERT INTO dms."Document" ("DocumentId", "DocumentUuid", "ResourceKeyId") VALUES ($1, gen_random_uuid(), 1)`, id+1000)
		batch.Queue(`INSERT INTO dms."EducationOrganization" ("DocumentId", "EducationOrganizationId", "ResourceKeyId") VALUES ($1, $2, 1)`, id+1000, id)
		for a := id; ; a = parent[a] {
			batch.Queue(`INSERT INTO auth."EducationOrganizationClosure" ("AncestorDocumentId", "DescendantDocumentId") VALUES ($1, $2)`, a+1000, id+1000)
			if parent[a] == 0 {
				break
			}
		}
	}
	if err := conn.SendBatch(ctx, batch).Close(); err != nil {
		t.Fatal(err)
	}
	query := func(view, column string, claim int64) []int64 {
		rows, err := conn.Query(ctx, fmt.Sprintf(`SELECT %q FROM auth.%q WHERE "SourceEducationOrganizationId" = $1 ORDER BY 1`, column, view), claim)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, tc := range []struct {
		view, column string
		claim        int64
		want         []int64
	}{
		{ViewEdOrgToEdOrgDocument, EdOrgDocumentColumn, 1, []int64{1001, 1010, 1011, 1100, 1101, 1110}},
		{ViewEdOrgToEdOrgDocument, EdOrgDocumentColumn, 10, []int64{1010, 1100, 1101}},
		{ViewEdOrgToEdOrgDocument, EdOrgDocumentColumn, 110, []int64{1110}},
		{ViewEdOrgToEdOrgDocument, EdOrgDocumentColumn, 999, nil},
		{ViewEdOrgToEdOrgDocumentInverted, EdOrgDocumentColumn, 101, []int64{1001, 1010, 1101}},
		{ViewEdOrgToEdOrgDocumentInverted, EdOrgDocumentColumn, 1, []int64{1001}},
		{ViewEdOrgToEdOrg, "TargetEducationOrganizationId", 11, []int64{11, 110}},
	} {
		if got := query(tc.view, tc.column, tc.claim); !slices.Equal(got, tc.want) {
			t.Errorf("auth.%s for claim %d = %v, want %v", tc.view, tc.claim, got, tc.want)
		}
	}
}
