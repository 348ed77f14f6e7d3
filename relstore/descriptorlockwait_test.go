package relstore_test

import (
	"context"
	"testing"
)

// TestDescriptorURIChangeDecidedAfterTheLockWait: whether a descriptor
// write changes the stored URI (and so cascades and increments
// dms.DescriptorUriGeneration) is decided on the row as it is once the
// writer holds the descriptor's lock. A test connection holds the lock
// and changes the URI's case as another writer would; a POST waiting on
// the lock that writes the same new spelling changes nothing more, and
// one that writes the old spelling back changes it again.
func TestDescriptorURIChangeDecidedAfterTheLockWait(t *testing.T) {
	for _, c := range []struct {
		name     string
		code     string
		changed  bool
		wantGens int64
	}{
		{"the holder's new spelling", "TENTH GRADE", false, 1},
		{"the old spelling back", "Tenth Grade", true, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			env, ids := seeded(t, "desclock")
			ctx := context.Background()
			tx, err := env.Pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = tx.Rollback(ctx) }()
			for _, sql := range []string{
				`SELECT l."DocumentId" FROM "dms"."IdentityLock" l JOIN "dms"."Document" d ON d."DocumentId" = l."DocumentId" WHERE d."DocumentUuid" = $1::uuid FOR UPDATE OF l`,
				`UPDATE "dms"."Descriptor" x SET "CodeValue" = 'TENTH GRADE', "Uri" = 'uri://ed-fi.org/GradeLevelDescriptor#TENTH GRADE' FROM "dms"."Document" d WHERE d."DocumentId" = x."DocumentId" AND d."DocumentUuid" = $1::uuid`,
				`UPDATE "dms"."DescriptorUriGeneration" SET "Generation" = "Generation" + 1 WHERE $1::text IS NOT NULL`,
			} {
				if _, err := tx.Exec(ctx, sql, ids[0]); err != nil {
					t.Fatal(err)
				}
			}
			release := func() {
				if err := tx.Commit(ctx); err != nil {
					t.Fatal(err)
				}
			}
			got := queue(t, env, release, post(env.Store, "gradeLevelDescriptors", `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"`+c.code+`","shortDescription":"10th","description":"Tenth grade","effectiveBeginDate":"2020-01-01","effectiveEndDate":"2030-12-31"}`))[0]
			if got.err != nil {
				t.Fatal(got.err)
			}
			if cascaded := got.res.Cascade.Bumped > 0; cascaded != c.changed {
				t.Errorf("POST %q after the wait: cascade %+v, want a cascade %v", c.code, got.res.Cascade, c.changed)
			}
			if gen := count(t, env, `SELECT "Generation" FROM "dms"."DescriptorUriGeneration"`); gen != c.wantGens {
				t.Errorf("generation %d, want %d", gen, c.wantGens)
			}
		})
	}
}
