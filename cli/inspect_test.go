package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestInspect: inspect describes a provisioned database with documents
// (row counts per table equal what the tables hold, the stored manifest,
// clean audits), and reports a corrupted derived index with exit 1.
func TestInspect(t *testing.T) {
	dsn := testenv.NewPostgresDatabase(t, "cli", "inspect")
	docs := filepath.Join(testenv.RepoRoot(t), "testdata", "documents", "example")
	mustCode(t, runCLI(t, withExample("roundtrip", "-q", "--provision", "--dsn", dsn, docs)...), ExitOK)

	var in inspection
	r := runCLI(t, "inspect", "--dsn", dsn, "--format", "json")
	mustCode(t, r, ExitOK)
	if err := json.Unmarshal([]byte(r.stdout), &in); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var docCount, schoolRows, addressRows int64
	if err := conn.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM dms."Document"), (SELECT count(*) FROM example."School"), (SELECT count(*) FROM example."SchoolAddress")`).Scan(&docCount, &schoolRows, &addressRows); err != nil {
		t.Fatal(err)
	}
	var total int64
	found := 0
	for _, res := range in.Resources {
		total += res.Documents
		for _, tb := range res.Tables {
			switch tb.Table {
			case "example.School":
				found++
				if tb.Rows != schoolRows {
					t.Errorf("example.School: %d rows reported, %d in the table", tb.Rows, schoolRows)
				}
			case "example.SchoolAddress":
				found++
				if tb.Rows != addressRows {
					t.Errorf("example.SchoolAddress: %d rows reported, %d in the table", tb.Rows, addressRows)
				}
			}
		}
	}
	if !in.Provisioned || !in.ManifestStored || in.AppliedAt == nil || len(in.Projects) != 2 || total != docCount || found != 2 {
		t.Errorf("inspect = provisioned %v, manifest %v, applied %v, %d projects, %d documents (want %d), %d tables found",
			in.Provisioned, in.ManifestStored, in.AppliedAt, len(in.Projects), total, docCount, found)
	}
	if in.Health == nil || in.Health.Edges.Checked != docCount || in.Health.Edges.Differences != 0 || in.Health.Identity.Differences != 0 {
		t.Errorf("health = %+v", in.Health)
	}

	if _, err := conn.Exec(context.Background(), `DELETE FROM dms."ReferentialIdentity" WHERE "DocumentId" = (SELECT min("DocumentId") FROM example."School")`); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "inspect", "--dsn", dsn, "--format", "json")
	mustCode(t, r, ExitFailure)
	in = inspection{}
	if err := json.Unmarshal([]byte(r.stdout), &in); err != nil {
		t.Fatal(err)
	}
	if in.Health == nil || in.Health.Identity.Differences == 0 || in.Health.Edges.Differences != 0 {
		t.Errorf("after deleting a ReferentialIdentity row, health = %+v", in.Health)
	}
	mustCode(t, runCLI(t, "inspect", "--dsn", dsn, "--health=false"), ExitOK)
}
