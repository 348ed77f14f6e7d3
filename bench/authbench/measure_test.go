package authbench

import (
	"context"
	"flag"
	"math"
	"slices"
	"testing"
	"time"
)

// warmRuns is how many untimed runs precede the timed ones, so that the
// connections have prepared their statements, as a long-running server's
// have (one in a smoke run; runs stop after warmFor).
func warmRuns() int {
	if smokeRun() {
		return 1
	}
	return 10
}

// warmFor bounds the warm-up's time: slow operations (hundreds of
// milliseconds) stop after their first run.
const warmFor = 200 * time.Millisecond

// smokeRun reports a run that only checks the benchmarks work
// (-benchtime=1x, as make bench-smoke runs them, or -short).
func smokeRun() bool {
	f := flag.Lookup("test.benchtime")
	return testing.Short() || f != nil && f.Value.String() == "1x"
}

// op is one benchmarked operation under one context (with a grant or
// without).
type op struct {
	// before, when set, prepares n runs (untimed): the documents a DELETE
	// removes.
	before func(tb testing.TB, n int)
	// run performs run i (0-based; the warm-up runs come first).
	run func(ctx context.Context, i int) error
	// after, when set, cleans up (untimed): the documents a POST created.
	after func(tb testing.TB)
}

// measure runs o b.N times after warmRuns() untimed runs and reports the
// nearest-rank p50 and p95 latencies (p50-ns, p95-ns: bench/benchratio
// prints their ratios to the baseline's) and round trips per run.
func measure(b *testing.B, bs *benchStore, ctx context.Context, o op) {
	warm := warmRuns()
	if o.before != nil {
		o.before(b, warm+b.N)
	}
	began := time.Now()
	for i := 0; i < warm; i++ {
		if err := o.run(ctx, i); err != nil {
			b.Fatalf("warm-up run %d: %v", i, err)
		}
		if time.Since(began) > warmFor {
			break // a slow operation: one run prepared its statements
		}
	}
	lat := make([]time.Duration, 0, b.N)
	trips := bs.counter.Count()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		err := o.run(ctx, warm+i)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatalf("run %d: %v", i, err)
		}
	}
	b.StopTimer()
	trips = bs.counter.Count() - trips
	if o.after != nil {
		o.after(b)
	}
	b.ReportMetric(percentile(lat, 0.50), "p50-ns")
	b.ReportMetric(percentile(lat, 0.95), "p95-ns")
	b.ReportMetric(float64(trips)/float64(b.N), "roundtrips/op")
}

// percentile returns the nearest-rank q-quantile of lat in nanoseconds
// (lat is sorted in place).
func percentile(lat []time.Duration, q float64) float64 {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	i := int(math.Ceil(q*float64(len(lat)))) - 1
	return float64(lat[max(i, 0)].Nanoseconds())
}
