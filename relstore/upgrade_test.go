package relstore_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// upgradeSQL returns the SQL block of docs/runtime.md's "Upgrading a
// database" section: what an operator runs on a dmsc-2 database.
func upgradeSQL(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile("../docs/runtime.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "### Upgrading a database\n")
	if !ok {
		t.Fatal("docs/runtime.md has no Upgrading a database section")
	}
	_, block, ok := strings.Cut(section, "```sql\n")
	if !ok {
		t.Fatal("the Upgrading a database section has no sql block")
	}
	sql, _, ok := strings.Cut(block, "```")
	if !ok {
		t.Fatal("unterminated sql block")
	}
	return sql
}

// TestOpenOlderCoreTables: a database provisioned by an older dmsc
// (here: the seed database without dms.DocumentCacheQueue, which dmsc-3
// added) matches the fingerprint of the manifest it stored, so Open
// checks the core tables itself and refuses it with a CoreTablesError
// naming the missing table, instead of failing a write or a projector
// pass later. The SQL docs/runtime.md gives operators adds the table in
// place; the database then opens, and a store with the cache queues and
// projects what it writes.
func TestOpenOlderCoreTables(t *testing.T) {
	env, ids := seeded(t, "oldcore")
	ctx := context.Background()
	if _, err := env.Pool.Exec(ctx, `DROP TABLE "dms"."DocumentCacheQueue"`); err != nil {
		t.Fatal(err)
	}
	_, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	var ce *relstore.CoreTablesError
	if !errors.As(err, &ce) || len(ce.Missing) != 1 || !strings.Contains(ce.Missing[0], "DocumentCacheQueue") || ce.MappingVersion == "" {
		t.Fatalf("Open of a database without the queue: %v; want a CoreTablesError naming it", err)
	}
	if _, err := env.Pool.Exec(ctx, upgradeSQL(t)); err != nil {
		t.Fatalf("the upgrade SQL of docs/runtime.md: %v", err)
	}
	st := cacheStore(t, env)
	if _, err := st.Update(ctx, "example", "schools", ids[6], schoolBody("Upgraded High"), ""); err != nil {
		t.Fatal(err)
	}
	if !queued(t, env, ids[6]) {
		t.Fatal("a write after the upgrade is not queued")
	}
	if ps, err := st.Project(ctx, relstore.ProjectOptions{}); err != nil || ps.Documents == 0 {
		t.Fatalf("projector after the upgrade: %+v, %v", ps, err)
	}
	cachedEqualsAssembled(t, env, st, "example", "schools", ids[6], "Upgraded High")
}
