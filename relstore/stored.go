package relstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// ErrNotProvisioned is returned by StoredManifest for a database that holds
// no effective schema (no dms.EffectiveSchema table or row).
var ErrNotProvisioned = errors.New("the database is not provisioned: it holds no dms.EffectiveSchema row")

// ErrNoStoredManifest is returned by StoredManifest for a provisioned
// database without a runtime manifest in dms.RuntimeManifest (its DDL was
// applied by hand, not by `dmsc ddl provision`).
var ErrNoStoredManifest = errors.New("the database holds no runtime manifest for its effective schema (its DDL was not applied by dmsc ddl provision)")

// StoredManifest reads and validates the runtime manifest that `dmsc ddl
// provision` stored with the database's newest effective schema, so that a
// runtime can open a provisioned database without the ApiSchema files and
// can never disagree with it. It returns ErrNotProvisioned or
// ErrNoStoredManifest (wrapped) when there is none.
func StoredManifest(ctx context.Context, db *pgxpool.Pool) (*manifest.Manifest, error) {
	var hasSchema, hasTable bool
	err := db.QueryRow(ctx, `SELECT to_regclass('"dms"."EffectiveSchema"') IS NOT NULL,
  to_regclass('"dms"."RuntimeManifest"') IS NOT NULL`).Scan(&hasSchema, &hasTable)
	if err != nil {
		return nil, fmt.Errorf("read dms.EffectiveSchema: %w", err)
	}
	if !hasSchema {
		return nil, ErrNotProvisioned
	}
	var provisioned bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM "dms"."EffectiveSchema")`).Scan(&provisioned); err != nil {
		return nil, fmt.Errorf("read dms.EffectiveSchema: %w", err)
	}
	if !provisioned {
		return nil, ErrNotProvisioned
	}
	if !hasTable {
		return nil, ErrNoStoredManifest
	}
	var hash string
	var data []byte
	err = db.QueryRow(ctx, `SELECT e."EffectiveSchemaHash", r."Manifest"::text
FROM "dms"."EffectiveSchema" e LEFT JOIN "dms"."RuntimeManifest" r ON r."EffectiveSchemaId" = e."EffectiveSchemaId"
ORDER BY e."EffectiveSchemaId" DESC LIMIT 1`).Scan(&hash, &data)
	if err != nil {
		return nil, fmt.Errorf("read dms.RuntimeManifest: %w", err)
	}
	if data == nil {
		return nil, ErrNoStoredManifest
	}
	m, err := manifest.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("the runtime manifest stored in dms.RuntimeManifest is not valid: %w", err)
	}
	if m.EffectiveSchemaHash != hash {
		return nil, fmt.Errorf("the runtime manifest stored in dms.RuntimeManifest is for effective schema %s, the database holds %s", m.EffectiveSchemaHash, hash)
	}
	return m, nil
}
