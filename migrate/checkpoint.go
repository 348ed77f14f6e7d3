package migrate

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// CheckpointSchema is the target schema holding the migration's own
// tables; dmsc's runtime never reads it, and dropping it forgets what was
// copied (the documents stay).
const CheckpointSchema = "dmsc_migrate"

// checkpointDDL creates the checkpoint table: one row per copied legacy
// document, written in the transaction that writes the document, so the
// table and the documents never disagree. LastModifiedAt and
// LastModifiedTraceId are the legacy change token as stored (a timestamp
// without time zone, in the legacy session's TimeZone): a catch-up pass
// compares them with the legacy rows.
const checkpointDDL = `CREATE SCHEMA IF NOT EXISTS "dmsc_migrate";
CREATE TABLE IF NOT EXISTS "dmsc_migrate"."Checkpoint" (
  "DocumentUuid" uuid NOT NULL,
  "ProjectName" varchar(256) NOT NULL,
  "ResourceName" varchar(256) NOT NULL,
  "LastModifiedAt" timestamp NOT NULL,
  "LastModifiedTraceId" varchar(128) NOT NULL,
  "CopiedAt" timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT "PK_Checkpoint" PRIMARY KEY ("DocumentUuid")
);
COMMENT ON TABLE "dmsc_migrate"."Checkpoint" IS 'dmsc migrate legacy: one row per legacy document copied (its legacy change token), written with the document';
CREATE TABLE IF NOT EXISTS "dmsc_migrate"."Skipped" (
  "DocumentUuid" uuid NOT NULL,
  "ProjectName" varchar(256) NOT NULL,
  "ResourceName" varchar(256) NOT NULL,
  "LastModifiedAt" timestamp NOT NULL,
  "LastModifiedTraceId" varchar(128) NOT NULL,
  "Code" varchar(64) NOT NULL,
  CONSTRAINT "PK_Skipped" PRIMARY KEY ("DocumentUuid")
);
COMMENT ON TABLE "dmsc_migrate"."Skipped" IS 'dmsc migrate legacy: legacy documents not copied (rejected by the preflight or refused by the target) at this change token; a catch-up pass retries one when its token changes'`

// checkpointUpsertSQL records a batch of copied documents (a catch-up
// pass records a document copied again with its new change token), and
// forgets their Skipped rows.
const checkpointUpsertSQL = `WITH c AS (
INSERT INTO "dmsc_migrate"."Checkpoint" AS c ("DocumentUuid", "ProjectName", "ResourceName", "LastModifiedAt", "LastModifiedTraceId")
SELECT u.id, u.p, u.r, u.m, u.t FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamp[], $5::text[]) AS u(id, p, r, m, t)
ON CONFLICT ("DocumentUuid") DO UPDATE SET "ProjectName" = EXCLUDED."ProjectName", "ResourceName" = EXCLUDED."ResourceName",
  "LastModifiedAt" = EXCLUDED."LastModifiedAt", "LastModifiedTraceId" = EXCLUDED."LastModifiedTraceId", "CopiedAt" = now()
RETURNING 1)
DELETE FROM "dmsc_migrate"."Skipped" WHERE "DocumentUuid" IN (SELECT unnest($1::uuid[]))`

// checkpointDeleteSQL forgets a document deleted from the target.
const checkpointDeleteSQL = `DELETE FROM "dmsc_migrate"."Checkpoint" WHERE "DocumentUuid" = $1::uuid`

// checkpointToken is a copied document's legacy change token.
type checkpointToken struct {
	modified          time.Time
	traceID           string
	project, resource string
}

// ensureCheckpoint creates the checkpoint table when missing.
func ensureCheckpoint(ctx context.Context, db *pgxpool.Pool) error {
	if _, err := db.Exec(ctx, checkpointDDL); err != nil {
		return fmt.Errorf("target: creating the checkpoint table %s.Checkpoint: %w", CheckpointSchema, err)
	}
	return nil
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// checkpointRow is one row of the checkpoint.
type checkpointRow struct {
	uuid string
	checkpointToken
}

// scanCheckpointRow reads "DocumentUuid"::text, "LastModifiedAt",
// "LastModifiedTraceId", "ProjectName", "ResourceName".
func scanCheckpointRow(rows pgx.Rows, r *checkpointRow) error {
	return rows.Scan(&r.uuid, &r.modified, &r.traceID, &r.project, &r.resource)
}

// checkpointColumns selects a checkpointRow (of checkpoint k).
const checkpointColumns = `SELECT "DocumentUuid"::text, "LastModifiedAt", "LastModifiedTraceId", "ProjectName", "ResourceName" FROM "dmsc_migrate"."Checkpoint" k`

// checkpointRows returns every row of the checkpoint ordered by
// DocumentUuid (the uuid, bytewise: the order Go compares its lowercase
// text in; the bare name would order by the output column, the text);
// the query runs when the sequence is walked.
func checkpointRows(ctx context.Context, db querier) iter.Seq2[checkpointRow, error] {
	return queryRows(ctx, db, "target: reading the checkpoint", scanCheckpointRow, checkpointOrderSQL)
}

// checkpointOrderSQL reads the checkpoint ordered by DocumentUuid.
const checkpointOrderSQL = checkpointColumns + ` ORDER BY k."DocumentUuid"`

// checkpointOf returns the change token of each of ids that the
// checkpoint records, by DocumentUuid (one query: ids is a page).
func checkpointOf(ctx context.Context, db querier, ids []string) (map[string]checkpointToken, error) {
	out := make(map[string]checkpointToken, len(ids))
	for r, err := range queryRows(ctx, db, "target: reading the checkpoint", scanCheckpointRow, checkpointColumns+` WHERE "DocumentUuid" = ANY($1::uuid[])`, ids) {
		if err != nil {
			return nil, err
		}
		out[r.uuid] = r.checkpointToken
	}
	return out, nil
}

// recordCopied returns the statement a batch's transaction runs last:
// the checkpoint rows of its documents.
func recordCopied(r ResourceKey, docs []*Document) func(context.Context, pgx.Tx) error {
	ids := make([]string, len(docs))
	projects := make([]string, len(docs))
	resources := make([]string, len(docs))
	modified := make([]time.Time, len(docs))
	traces := make([]string, len(docs))
	for i, d := range docs {
		ids[i], projects[i], resources[i], modified[i], traces[i] = d.UUID, r.ProjectName, r.ResourceName, d.LastModifiedAt, d.LastModifiedTraceID
	}
	return func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, checkpointUpsertSQL, ids, projects, resources, modified, traces)
		return err
	}
}
