package runtimebench

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// jsonbEnv is a baseline store on its own throwaway database.
type jsonbEnv struct {
	Store   *JSONBStore
	Pool    *pgxpool.Pool
	Counter *relstore.RoundTripCounter
}

// newJSONB creates a database (skipping without DMSC_PG_DSN), the baseline
// tables and a store for the manifest's resources, with a round-trip
// counter on its pool configured like the relational store's; configure,
// when given, adjusts the pool's configuration before it opens.
func newJSONB(tb testing.TB, man *manifest.Manifest, label string, configure ...func(*pgxpool.Config)) *jsonbEnv {
	tb.Helper()
	ctx := context.Background()
	dsn := testenv.NewPostgresDatabase(tb, "bench", label)
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	counter := &relstore.RoundTripCounter{}
	cfg.ConnConfig.Tracer = counter
	for _, f := range configure {
		f(cfg)
	}
	pool, err := relstore.NewPool(ctx, cfg)
	if err != nil {
		tb.Fatalf("pool: %v", err)
	}
	tb.Cleanup(pool.Close)
	if err := CreateJSONBSchema(ctx, pool); err != nil {
		tb.Fatal(err)
	}
	st, err := OpenJSONB(man, pool)
	if err != nil {
		tb.Fatal(err)
	}
	return &jsonbEnv{Store: st, Pool: pool, Counter: counter}
}
