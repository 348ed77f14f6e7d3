package authbench

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/provision"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// loadWriters is the number of concurrent writers of a load.
const loadWriters = 4

// Plan cache modes (PostgreSQL's plan_cache_mode) a store's sessions use.
const (
	planGeneric = "force_generic_plan" // relstore.NewPool's default
	planCustom  = "force_custom_plan"
	planAuto    = "auto"
	// noJIT, appended to a mode, also turns JIT compilation off.
	noJIT = "+nojit"
)

// benchEnv is one loaded database: its scale, manifest, claims, stores
// (one per plan cache mode, opened on first use) and the documents the
// benchmarks read and write.
type benchEnv struct {
	scale  Scale
	dsn    string
	man    *manifest.Manifest
	claims *authz.Claims
	// loaded describes the load that built the database (zero when an
	// earlier run's database was reused).
	loaded LoadStats

	mu     sync.Mutex
	stores map[string]*benchStore
	picks  *picks
	deep   map[deepKey]deepPos
}

// benchStore is a store whose pool uses one plan cache mode, with a
// round-trip counter.
type benchStore struct {
	st      *relstore.Store
	pool    *pgxpool.Pool
	counter *relstore.RoundTripCounter
}

// envs caches the environments of this process by scale name: with
// -count=5 every benchmark function runs five times, the database is
// checked and opened once.
var (
	envsMu sync.Mutex
	envs   = map[string]*benchEnv{}
	// compiled caches the DS 5.0 model with our overlay.
	compiled *model.Model
)

// getEnv returns the environment of scale s, building or reusing its
// database (skipping without DMSC_PG_DSN or the fixtures).
func getEnv(tb testing.TB, s Scale) *benchEnv {
	tb.Helper()
	base := testenv.PostgresDSN(tb)
	envsMu.Lock()
	defer envsMu.Unlock()
	if e := envs[s.Name]; e != nil {
		return e
	}
	repo := testenv.RepoRoot(tb)
	if compiled == nil {
		compiled = relstoretest.CompileWithOverlay(tb, filepath.Join(repo, "testdata", "auth", "ds-5.0.overlay.json"), testenv.DS50(tb))
	}
	var d diag.List
	claims := authz.LoadFile(filepath.Join(repo, "testdata", "auth", "claims.ds-5.0-sample.json"), &d)
	if err := d.Err(); err != nil {
		tb.Fatal(err)
	}
	e := &benchEnv{scale: s, man: compiler.Manifest(compiled), claims: claims, stores: map[string]*benchStore{}, deep: map[deepKey]deepPos{}}
	dsn, stats, err := ensureDatabase(context.Background(), base, s, compiled)
	if err != nil {
		tb.Fatalf("authbench %s database: %v", s.Name, err)
	}
	e.dsn, e.loaded = dsn, stats
	envs[s.Name] = e
	return e
}

// ensureDatabase returns the DSN of scale s's database, loading it first
// unless it holds the marker of this generator, scale and schema. Only
// one process builds a database at a time (an advisory lock).
func ensureDatabase(ctx context.Context, base string, s Scale, m *model.Model) (string, LoadStats, error) {
	man, err := compiler.Manifest(m).Encode()
	if err != nil {
		return "", LoadStats{}, err
	}
	script, err := ddl.Render(m)
	if err != nil {
		return "", LoadStats{}, err
	}
	marker := Marker(s, man, script)
	name := DatabaseName(s)
	dsn, err := dsnFor(base, name)
	if err != nil {
		return "", LoadStats{}, err
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", LoadStats{}, fmt.Errorf("connect: %w", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, name); err != nil {
		return "", LoadStats{}, err
	}
	defer admin.Exec(context.Background(), `SELECT pg_advisory_unlock(hashtext($1))`, name) //nolint:errcheck // the session ends anyway
	var stored *string
	err = admin.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&stored)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return "", LoadStats{}, err
	case stored != nil && *stored == marker:
		return dsn, LoadStats{}, nil
	}
	ident := pgx.Identifier{name}.Sanitize()
	fmt.Fprintf(os.Stderr, "authbench: building database %s for scale %v: %d documents (marker %q)\n", name, s, s.Documents(), marker)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return "", LoadStats{}, err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", LoadStats{}, err
	}
	if _, err := provision.Provision(ctx, dsn, m, script, provision.Options{Manifest: man}); err != nil {
		return "", LoadStats{}, fmt.Errorf("provision: %w", err)
	}
	bs, err := openStore(ctx, dsn, compiler.Manifest(m), planGeneric, loadWriters+1)
	if err != nil {
		return "", LoadStats{}, err
	}
	defer bs.pool.Close()
	stats, err := Load(ctx, bs.st, Phases(s), loadWriters, os.Stderr)
	if err != nil {
		return "", LoadStats{}, err
	}
	t0 := time.Now()
	if _, err := bs.pool.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return "", LoadStats{}, fmt.Errorf("vacuum analyze: %w", err)
	}
	fmt.Fprintf(os.Stderr, "authbench: VACUUM ANALYZE in %v\n", time.Since(t0).Round(time.Millisecond))
	if _, err := admin.Exec(ctx, "COMMENT ON DATABASE "+ident+" IS '"+strings.ReplaceAll(marker, "'", "''")+"'"); err != nil {
		return "", LoadStats{}, err
	}
	return dsn, stats, nil
}

// dsnFor returns base (URL or key=value form) pointing at database name.
func dsnFor(base, name string) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return base + " dbname=" + name, nil
}

// openStore opens a store on dsn whose sessions use plan cache mode
// mode (with JIT off when it ends in noJIT), with at most conns
// connections.
func openStore(ctx context.Context, dsn string, man *manifest.Manifest, mode string, conns int32) (*benchStore, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	counter := &relstore.RoundTripCounter{}
	cfg.ConnConfig.Tracer = counter
	cfg.MaxConns = conns
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	if m, ok := strings.CutSuffix(mode, noJIT); ok {
		mode = m
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = mode
	pool, err := relstore.NewPool(ctx, cfg)
	if err != nil {
		return nil, err
	}
	st, err := relstore.Open(ctx, man, pool, relstore.Options{})
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &benchStore{st: st, pool: pool, counter: counter}, nil
}

// store returns the environment's store using plan cache mode mode.
func (e *benchEnv) store(tb testing.TB, mode string) *benchStore {
	tb.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if bs := e.stores[mode]; bs != nil {
		return bs
	}
	bs, err := openStore(context.Background(), e.dsn, e.man, mode, 4)
	if err != nil {
		tb.Fatalf("open the %s store (%s): %v", e.scale.Name, mode, err)
	}
	e.stores[mode] = bs
	return bs
}
