// Package runtimetest provisions throwaway PostgreSQL databases and opens
// runtime stores on them for tests and benchmarks. It may import the
// compiler (runtime itself may not).
package relstoretest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/example"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/provision"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// Env is one provisioned database with an open store.
type Env struct {
	// DSN points at the test's own database.
	DSN string
	// Model is the compiled pgsql model; Manifest its runtime manifest.
	Model    *model.Model
	Manifest *manifest.Manifest
	// Pool is the store's pool; Counter counts its round trips.
	Pool    *pgxpool.Pool
	Counter *relstore.RoundTripCounter
	// Store is open with Options.VerifyEdges set.
	Store *relstore.Store
}

// Compile compiles the schema files (nil = dmsc's built-in example set) and
// returns the pgsql model, failing the test on any error.
func Compile(t testing.TB, files ...string) *model.Model {
	t.Helper()
	return CompileWithOverlay(t, "", files...)
}

// CompileWithOverlay is Compile with an --auth-overlay file ("" = none).
func CompileWithOverlay(t testing.TB, overlay string, files ...string) *model.Model {
	t.Helper()
	var d diag.List
	var set *apischema.Set
	if len(files) > 0 {
		set = apischema.Load(files, &d)
	} else {
		var projects []*apischema.Project
		for _, f := range example.Files() {
			projects = append(projects, apischema.Parse(f.Name, f.Data, &d))
		}
		if !d.HasErrors() {
			set = apischema.Build(projects, &d)
		}
	}
	if err := d.Err(); err != nil {
		t.Fatalf("load schema: %v", err)
	}
	if overlay != "" {
		o := apischema.LoadOverlay(overlay, &d)
		set.ApplyAuthOverlay(o, &d)
		if err := d.Err(); err != nil {
			t.Fatalf("auth overlay: %v", err)
		}
	}
	res := compiler.Compile(set, compiler.Options{}, &d)
	if err := d.Err(); err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return res.Model(model.PgSQL)
}

// New creates a database on DMSC_PG_DSN's server (skipping without it),
// provisions the schema files (nil = the built-in example), storing the
// runtime manifest as dmsc ddl provision does, and opens a
// store with edge and authorization-row verification on. label names the
// database.
func New(t testing.TB, label string, files ...string) *Env {
	t.Helper()
	return NewWithModel(t, label, Compile(t, files...), relstore.Options{VerifyEdges: true, VerifyAuthRows: true})
}

// NewWithModel is New for an already compiled model and explicit options;
// configure, when given, adjusts the pool's configuration (its size, say)
// before the pool opens.
func NewWithModel(t testing.TB, label string, m *model.Model, opts relstore.Options, configure ...func(*pgxpool.Config)) *Env {
	t.Helper()
	ctx := context.Background()
	dsn := testenv.NewPostgresDatabase(t, "rt", label)
	data, err := compiler.Manifest(m).Encode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provision.Provision(ctx, dsn, m, "", provision.Options{Manifest: data}); err != nil {
		t.Fatalf("provision: %v", err)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	counter := &relstore.RoundTripCounter{}
	cfg.ConnConfig.Tracer = counter
	for _, f := range configure {
		f(cfg)
	}
	pool, err := relstore.NewPool(ctx, cfg)
	if err != nil {
		t.Fatalf("pool: %v", err)
	}
	t.Cleanup(pool.Close)
	man := compiler.Manifest(m)
	st, err := relstore.Open(ctx, man, pool, opts)
	if err != nil {
		t.Fatalf("relstore.Open: %v", err)
	}
	return &Env{DSN: dsn, Model: m, Manifest: man, Pool: pool, Counter: counter, Store: st}
}
