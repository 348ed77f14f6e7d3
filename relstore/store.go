package relstore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/dms"
	"github.com/edfi-dmsc/dmsc/manifest"
)

// Store stores and reads Ed-Fi documents of one manifest in one PostgreSQL
// database. It is safe for concurrent use.
type Store struct {
	m      *manifest.Manifest
	db     *pgxpool.Pool
	opts   Options
	byPath map[string]*plan // "projectEndpoint/endpoint" → plan
	byName map[string]*plan // "Project:Resource" → plan
	byKey  map[int16]*plan  // ResourceKeyId → plan
	plans  []*plan          // manifest order
	// abstract are the abstract resources by "Project:Resource".
	abstract map[string]*manifest.AbstractResource
	// edOrgIDs holds the abstract resources whose identity the read
	// statements take from dms.EducationOrganization (edorgread.go).
	edOrgIDs map[*manifest.AbstractResource]bool
	// shapes remembers the read shapes of documents read (readshape.go).
	shapes *shapeMemo
	// cacheHits and cacheMisses count the GETs the DocumentCache served
	// and those it could not (CacheStats).
	cacheHits, cacheMisses atomic.Int64
	// claimSets stores grants' claims as claim sets (nil: never).
	claimSets *claimSets
	// uris maps descriptor ids to URIs for the read statements (nil: they
	// join dms.Descriptor).
	uris *descriptorURIs
}

// Open checks that the database's dms.EffectiveSchema holds the manifest's
// effective schema hash (a *FingerprintError otherwise) and builds every
// resource's plan. The manifest must be a pgsql manifest.
func Open(ctx context.Context, m *manifest.Manifest, db *pgxpool.Pool, opts Options) (*Store, error) {
	if m == nil || db == nil {
		return nil, errors.New("relstore.Open: nil manifest or pool")
	}
	if m.Dialect != manifest.DialectPgSQL {
		return nil, fmt.Errorf("relstore.Open: manifest dialect %q: only %s is supported", m.Dialect, manifest.DialectPgSQL)
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	s := &Store{m: m, db: db, opts: opts, shapes: newShapeMemo(opts.ReadShapes)}
	if err := s.checkFingerprint(ctx); err != nil {
		return nil, err
	}
	// The read statements select descriptor ids or join URIs: known
	// before the plans.
	if err := s.openDescriptorURIs(ctx); err != nil {
		return nil, err
	}
	if err := s.buildPlans(); err != nil {
		return nil, err
	}
	if err := s.openClaimSets(ctx); err != nil {
		return nil, err
	}
	if opts.DocumentCache {
		if _, err := db.Exec(ctx, purgeStaleCacheSQL); err != nil {
			return nil, fmt.Errorf("relstore.Open: removing stale dms.DocumentCache rows: %w", err)
		}
	}
	return s, nil
}

// Manifest returns the manifest the store was opened with.
func (s *Store) Manifest() *manifest.Manifest { return s.m }

// Resource returns the resource served at /{projectEndpoint}/{endpoint}
// (`ed-fi`, `schools`).
func (s *Store) Resource(projectEndpoint, endpoint string) (*manifest.Resource, bool) {
	p, ok := s.byPath[projectEndpoint+"/"+endpoint]
	if !ok {
		return nil, false
	}
	return p.res, true
}

func (s *Store) lookup(projectEndpoint, endpoint string) (*plan, error) {
	p, ok := s.byPath[projectEndpoint+"/"+endpoint]
	if !ok {
		return nil, fmt.Errorf("%w: no resource is served at /%s/%s", ErrNotFound, projectEndpoint, endpoint)
	}
	return p, nil
}

func (s *Store) checkFingerprint(ctx context.Context) error {
	var exists bool
	if err := s.db.QueryRow(ctx, `SELECT to_regclass('"dms"."EffectiveSchema"') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("relstore.Open: reading dms.EffectiveSchema: %w", err)
	}
	if !exists {
		return &FingerprintError{Manifest: s.m.EffectiveSchemaHash}
	}
	var hash, version string
	var missing []string
	err := s.db.QueryRow(ctx, `SELECT "EffectiveSchemaHash", "MappingVersion",
  ARRAY(SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NULL)
FROM "dms"."EffectiveSchema" ORDER BY "EffectiveSchemaId" DESC LIMIT 1`, requiredCoreTables).Scan(&hash, &version, &missing)
	if err != nil && !isNoRows(err) {
		return fmt.Errorf("relstore.Open: reading dms.EffectiveSchema: %w", err)
	}
	if hash != s.m.EffectiveSchemaHash {
		return &FingerprintError{Database: hash, Manifest: s.m.EffectiveSchemaHash,
			DatabaseMappingVersion: version, ManifestMappingVersion: s.m.RelationalMappingVersion}
	}
	if len(missing) > 0 {
		return &CoreTablesError{Missing: missing, MappingVersion: version}
	}
	return nil
}

// requiredCoreTables are the core tables of this dmsc (package dms),
// quoted: a database provisioned by an older dmsc, opened with the
// manifest it stored, matches its own fingerprint but may lack those
// added since, so Open checks each exists.
var requiredCoreTables = func() []string {
	var names []string
	for _, t := range dms.Tables() {
		names = append(names, quoteIdent(dms.Schema)+"."+quoteIdent(t))
	}
	return names
}()

// DefaultStatementCacheCapacity is the prepared statements NewPool lets
// each connection keep (pgx keeps 512). The store prepares a few
// statements per resource, query shape and write shape: 561 on one
// connection for the DS 5.0 corpus written, read and paged
// (TestStatementCacheHoldsDS50), so 512 evicted statements whose generic
// plans then took 2–11 ms to plan again. The price is server memory: each
// prepared statement's plan and query tree hold about 0.4 MB in its
// backend (213 MB for those 561), so
// a connection that runs every statement of DS 5.0 and its extensions
// can hold 1 GB or more. Set statement_cache_capacity in the DSN to trade
// memory for re-planning.
const DefaultStatementCacheCapacity = 4096

// pgxDefaultStatementCache is pgx's own default, which NewPool raises.
const pgxDefaultStatementCache = 512

// NewPool opens a pgx pool configured as the store expects: every session
// uses the UTC time zone (date-times are read back in UTC) and generic
// plans for prepared statements (the store's statements are fixed per
// resource, some join many tables, and planning them on every execution
// would cost more than running them), and no JIT compilation (a generic
// plan's cost estimate, high for a recursive closure statement on an
// unanalyzed database, can cross jit_above_cost: each execution then
// compiled for 40–150 ms a statement that runs in under 3 ms). A caller
// may set either parameter itself. Each connection keeps up to
// DefaultStatementCacheCapacity prepared statements unless the DSN sets
// another capacity than pgx's 512. It encodes grants' EdOrg ids directly
// (claimIDs). Its tracer (kept) counts each call's
// round trips into the counter of WithRoundTrips.
func NewPool(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	if _, ok := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
	if cfg.ConnConfig.StatementCacheCapacity == pgxDefaultStatementCache {
		cfg.ConnConfig.StatementCacheCapacity = DefaultStatementCacheCapacity
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["jit"]; !ok {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	// bigint[] claims encoded in one loop (claimIDs), before the caller's
	// own hook.
	next := cfg.AfterConnect
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if err := registerClaimsCodec(ctx, conn); err != nil {
			return err
		}
		if next != nil {
			return next(ctx, conn)
		}
		return nil
	}
	// Per-call round trip counts (WithRoundTrips), beside the caller's
	// own tracer.
	if cfg.ConnConfig.Tracer == nil {
		cfg.ConnConfig.Tracer = ctxTracer{}
	} else {
		cfg.ConnConfig.Tracer = multitracer.New(ctxTracer{}, cfg.ConnConfig.Tracer)
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// CheckReady reports whether the database answers and its
// dms.EffectiveSchema still holds the manifest's effective schema hash (as
// Open checked): nil, a *FingerprintError (another hash, or none), or the
// error reading it. Servers call it for readiness probes.
func (s *Store) CheckReady(ctx context.Context) error { return s.checkFingerprint(ctx) }
