package runtimebench

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// JSONBSchema is the DDL of the JSONB baseline, modelled on the legacy DMS
// PostgreSQL backend (dms.Document, dms.Alias, dms.Reference): the whole
// document body in one jsonb column with a GIN jsonb_path_ops index, an
// alias table mapping every referential id (primary and superclass alias)
// to its document, and a reference table listing the referential ids each
// document references. The legacy store partitioned these tables by a hash
// of the ids; with one database per benchmark run that buys nothing, so the
// tables are plain. Like the legacy Reference → Alias foreign key, a
// reference must name an existing alias; ON UPDATE CASCADE lets an identity
// change carry the reference rows along.
const JSONBSchema = `
CREATE TABLE IF NOT EXISTS document (
    id             bigserial PRIMARY KEY,
    document_uuid  uuid NOT NULL UNIQUE,
    resource_name  text NOT NULL,
    referential_id uuid NOT NULL UNIQUE,
    etag           bigint NOT NULL,
    last_modified  timestamptz NOT NULL,
    body           jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_document_body ON document USING gin (body jsonb_path_ops);
-- Paging within one resource (the legacy store had one partition set per
-- resource and paged each by its key).
CREATE INDEX IF NOT EXISTS ix_document_resource ON document (resource_name, id);

CREATE TABLE IF NOT EXISTS alias (
    referential_id uuid PRIMARY KEY,
    document_id    bigint NOT NULL REFERENCES document (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_alias_document ON alias (document_id);

CREATE TABLE IF NOT EXISTS reference (
    parent_id                 bigint NOT NULL REFERENCES document (id) ON DELETE CASCADE,
    referenced_referential_id uuid NOT NULL REFERENCES alias (referential_id) ON UPDATE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_reference_parent ON reference (parent_id);
CREATE INDEX IF NOT EXISTS ix_reference_referenced ON reference (referenced_referential_id);
`

// CreateJSONBSchema creates the baseline's tables in db (idempotent).
func CreateJSONBSchema(ctx context.Context, db *pgxpool.Pool) error {
	if _, err := db.Exec(ctx, JSONBSchema); err != nil {
		return fmt.Errorf("runtimebench: create the JSONB baseline schema: %w", err)
	}
	return nil
}

// TruncateJSONB empties the baseline's tables, restarting the id sequence.
func TruncateJSONB(ctx context.Context, db *pgxpool.Pool) error {
	if _, err := db.Exec(ctx, `TRUNCATE reference, alias, document RESTART IDENTITY`); err != nil {
		return fmt.Errorf("runtimebench: truncate the JSONB baseline: %w", err)
	}
	return nil
}
