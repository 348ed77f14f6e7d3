package migrate

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// skippedUpsertSQL records skipped documents; a row that already says the
// same is left alone (a pass with nothing new writes nothing).
const skippedUpsertSQL = `INSERT INTO "dmsc_migrate"."Skipped" AS s ("DocumentUuid", "ProjectName", "ResourceName", "LastModifiedAt", "LastModifiedTraceId", "Code")
SELECT u.id, u.p, u.r, u.m, u.t, u.c FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamp[], $5::text[], $6::text[]) AS u(id, p, r, m, t, c)
ON CONFLICT ("DocumentUuid") DO UPDATE SET "ProjectName" = EXCLUDED."ProjectName", "ResourceName" = EXCLUDED."ResourceName",
  "LastModifiedAt" = EXCLUDED."LastModifiedAt", "LastModifiedTraceId" = EXCLUDED."LastModifiedTraceId", "Code" = EXCLUDED."Code"
WHERE (s."ProjectName", s."ResourceName", s."LastModifiedAt", s."LastModifiedTraceId", s."Code")
  IS DISTINCT FROM (EXCLUDED."ProjectName", EXCLUDED."ResourceName", EXCLUDED."LastModifiedAt", EXCLUDED."LastModifiedTraceId", EXCLUDED."Code")`

// skippedDoc is one document to record in dmsc_migrate.Skipped.
type skippedDoc struct {
	uuid              string
	project, resource string
	modified          time.Time
	traceID, code     string
}

// execer is a pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// recordSkipped records docs in dmsc_migrate.Skipped (one statement;
// nothing when docs is empty).
func recordSkipped(ctx context.Context, db execer, docs []skippedDoc) error {
	if len(docs) == 0 {
		return nil
	}
	ids := make([]string, len(docs))
	projects := make([]string, len(docs))
	resources := make([]string, len(docs))
	modified := make([]time.Time, len(docs))
	traces := make([]string, len(docs))
	codes := make([]string, len(docs))
	for i, d := range docs {
		ids[i], projects[i], resources[i], modified[i], traces[i], codes[i] = d.uuid, d.project, d.resource, d.modified, d.traceID, d.code
	}
	if _, err := db.Exec(ctx, skippedUpsertSQL, ids, projects, resources, modified, traces, codes); err != nil {
		return fmt.Errorf("target: recording %s.Skipped: %w", CheckpointSchema, err)
	}
	return nil
}

// forgetSkippedSQL drops Skipped rows of documents copied since, or gone
// from the legacy store.
const forgetSkippedSQL = `DELETE FROM "dmsc_migrate"."Skipped" WHERE "DocumentUuid" IN (SELECT unnest($1::uuid[]))`
