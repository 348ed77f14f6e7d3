package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/golden"
)

const runtimeOutput = `pkg: github.com/edfi-dmsc/dmsc/bench/runtimebench
BenchmarkRuntime/ds50/cross-core/Load/baseline-2     1  500000000 ns/op  1800 docs/s  400000 server-cpu-ns/doc
BenchmarkRuntime/ds50/cross-core/Load/relational-2   1  800000000 ns/op  1100 docs/s  900000 server-cpu-ns/doc
BenchmarkRuntime/ds50/cross-core/Load/relational-2   1  800000000 ns/op  1300 docs/s  900000 server-cpu-ns/doc
BenchmarkRuntime/ds50/cross-core/LoadProjected/baseline-2     1  500000000 ns/op  1800 docs/s
BenchmarkRuntime/ds50/cross-core/LoadProjected/relational-2   1  900000000 ns/op  900 docs/s
BenchmarkRuntime/ds50/cross-core/Project/relational-2   10  50000000 ns/op  15000 docs/s  42000 server-cpu-ns/doc  21000 client-cpu-ns/doc
BenchmarkRuntime/ds50/cross-core/Mixed/baseline-2     1  200000 ns/op  5000 ops/s  150000 get-p50-ns
BenchmarkRuntime/ds50/cross-core/Mixed/relational-2   1  300000 ns/op  3000 ops/s  150000 get-p50-ns  0.95 cache-hit-ratio  16 backlog-p99-docs  29.5 staleness-p99-ms
BenchmarkRuntime/ds50/cross-core/Get/baseline-2      100  100000 ns/op  90000 p50-ns  20000 server-cpu-ns/op  30000 client-cpu-ns/op
BenchmarkRuntime/ds50/cross-core/Get/relational-2    100  250000 ns/op  225000 p50-ns  170000 server-cpu-ns/op  70000 client-cpu-ns/op
BenchmarkRuntime/ds50/cross-core/GetSmall/baseline-2    100  60000 ns/op  60000 p50-ns
BenchmarkRuntime/ds50/cross-core/GetSmall/relational-2  100  120000 ns/op  120000 p50-ns
BenchmarkRuntime/ds50/same-core/Get/baseline-2       100  30000 ns/op  21000 p50-ns  20000 server-cpu-ns/op  10000 client-cpu-ns/op
BenchmarkRuntime/ds50/same-core/Get/relational-2     100  250000 ns/op  231000 p50-ns  160000 server-cpu-ns/op  70000 client-cpu-ns/op
BenchmarkRuntime/example/cross-core/GetLarge/baseline-2    100  1 ns/op  1 p50-ns
BenchmarkRuntime/example/cross-core/GetLarge/relational-2  100  9 ns/op  9 p50-ns
PASS
`

func TestSummary(t *testing.T) {
	_, res := parse(t, runtimeOutput)
	got, ok := formatSummary(res)
	if !ok {
		t.Fatal("no ratio found")
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(got), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, got)
	}
	want := map[string]any{
		"placement":                       "cross-core",
		"get_p50_ratio_uncached_small":    2.0,
		"get_p50_ratio_uncached_large":    nil, // only the example corpus has it
		"get_p50_ratio_uncached":          2.5,
		"write_ratio":                     0.5,   // with the projector: 900 over 1800
		"write_ratio_without_projector":   0.667, // median of 1100 and 1300 over 1800
		"get_server_cpu_ratio_uncached":   8.5,
		"page_p50_ratio_cached":           nil,
		"mixed_ops_ratio":                 0.6,
		"cache_hit_ratio":                 0.95, // the relational value itself
		"projector_backlog_p99":           16.0,
		"projector_server_cpu_ns_per_doc": 42000.0, // no baseline: the relational value
		"projector_client_cpu_ns_per_doc": 21000.0,
		"staleness_p99_ms":                29.5,
	}
	for k, w := range want {
		if v, ok := m[k]; !ok || v != w {
			t.Errorf("%s = %v (present %v), want %v", k, v, ok, w)
		}
	}
	if same := m["same_core"].(map[string]any); same["get_p50_ratio_uncached"] != 11.0 || same["get_client_cpu_ratio_uncached"] != 7.0 {
		t.Errorf("same_core %v", same)
	}
	golden.Assert(t, "summary", []byte(got))
}

func TestSummaryWrittenOnlyWithRuntimeResults(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	var stdout strings.Builder
	if err := run(strings.NewReader(sampleOutput), &stdout, files{summary: path}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("summary written without runtime results (%v)", err)
	}
	if err := run(strings.NewReader(runtimeOutput), &stdout, files{summary: path}, true); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(path); err != nil || !strings.Contains(string(data), `"write_ratio_without_projector": 0.667`) {
		t.Errorf("summary %q (%v)", data, err)
	}
}

func TestCPUMetricRatios(t *testing.T) {
	_, res := parse(t, `pkg: x
BenchmarkLoad/baseline-2     1   1000 ns/op   400 server-cpu-ns/doc   300 client-cpu-ns/op   5 docs/s
BenchmarkLoad/relational-2   1   3000 ns/op   900 server-cpu-ns/doc   600 client-cpu-ns/op   4 docs/s
`)
	table := formatTable(res)
	for _, w := range []string{"600 client-cpu-ns/op (2.00x), 4 docs/s, 900 server-cpu-ns/doc (2.25x)"} {
		if !strings.Contains(table, w) {
			t.Errorf("table lacks %q:\n%s", w, table)
		}
	}
}
