package main

import (
	"math"
	"strconv"
	"strings"
)

// The summary (summary.json, -summary) holds the ratios relational ÷
// baseline of bench/runtimebench that issue 15 (P11) tracks, read from the
// DS 5.0 corpus in the cross-core placement, with the same read ratios of
// the same-core placement under "same_core".
const (
	// summaryPkg is the package whose results the summary reads.
	summaryPkg = "github.com/edfi-dmsc/dmsc/bench/runtimebench"
	// summaryBench is the benchmark (BenchmarkRuntime) and summaryCorpus
	// the corpus part of the names it reads:
	// Runtime/<corpus>/<placement>/<operation>/<store>.
	summaryBench  = "Runtime"
	summaryCorpus = "ds50"
	// summaryPlacement is the placement of the top-level ratios.
	summaryPlacement = "cross-core"
	// sameCorePlacement is the placement of the "same_core" ratios.
	sameCorePlacement = "same-core"
	// relationalCase is the numerator's case name.
	relationalCase = "relational"
)

// summaryField is one key of the summary: the ratio relational ÷ baseline
// of the median of unit in operation op (with absolute, the relational
// median itself), or null when the run did not measure it.
type summaryField struct {
	key, op, unit string
	absolute      bool
}

// summaryFields are the top-level keys, in the order they are written.
var summaryFields = []summaryField{
	{"get_p50_ratio_uncached_small", "GetSmall", "p50-ns", false},
	{"get_p50_ratio_uncached_large", "GetLarge", "p50-ns", false},
	{"get_p50_ratio_uncached", "Get", "p50-ns", false},
	{"page_p50_ratio_uncached", "QueryPage100", "p50-ns", false},
	{"get_p50_ratio_cached", "GetCached", "p50-ns", false},
	{"page_p50_ratio_cached", "QueryPage100Cached", "p50-ns", false},
	// The write rate with the projector running (the measure);
	// without it beside.
	{"write_ratio", "LoadProjected", "docs/s", false},
	{"write_ratio_without_projector", "Load", "docs/s", false},
	{"get_server_cpu_ratio_uncached", "Get", "server-cpu-ns/op", false},
	{"get_client_cpu_ratio_uncached", "Get", "client-cpu-ns/op", false},
	// What the projector alone costs per document on warm plans (the
	// relational store's medians; LoadProjected pays its re-planning too).
	{"projector_server_cpu_ns_per_doc", "Project", "server-cpu-ns/doc", true},
	{"projector_client_cpu_ns_per_doc", "Project", "client-cpu-ns/doc", true},
	// The mixed workload's own measures of the relational store.
	{"mixed_get_p50_ratio", "Mixed", "get-p50-ns", false},
	{"mixed_ops_ratio", "Mixed", "ops/s", false},
	{"cache_hit_ratio", "Mixed", "cache-hit-ratio", true},
	{"projector_backlog_p99", "Mixed", "backlog-p99-docs", true},
	{"staleness_p99_ms", "Mixed", "staleness-p99-ms", true},
}

// sameCoreFields are the keys of the "same_core" object.
var sameCoreFields = []summaryField{
	{"get_p50_ratio_uncached_small", "GetSmall", "p50-ns", false},
	{"get_p50_ratio_uncached_large", "GetLarge", "p50-ns", false},
	{"get_p50_ratio_uncached", "Get", "p50-ns", false},
	{"page_p50_ratio_uncached", "QueryPage100", "p50-ns", false},
	{"get_p50_ratio_cached", "GetCached", "p50-ns", false},
	{"get_server_cpu_ratio_uncached", "Get", "server-cpu-ns/op", false},
	{"get_client_cpu_ratio_uncached", "Get", "client-cpu-ns/op", false},
}

// ratio returns median(unit of relational) ÷ median(unit of baseline) for
// the operation in the placement (f.absolute: median(unit of relational)),
// and whether it was measured.
func ratio(res []*benchmark, placement string, f summaryField) (float64, bool) {
	group := summaryBench + "/" + summaryCorpus + "/" + placement + "/" + f.op
	var num, den []sample
	for _, r := range res {
		if r.pkg != summaryPkg {
			continue
		}
		switch r.name {
		case group + "/" + relationalCase:
			num = r.samples
		case group + "/" + baselineCase:
			den = r.samples
		}
	}
	n, okN := median(num, f.unit)
	if f.absolute {
		return n, okN
	}
	d, okD := median(den, f.unit)
	if !okN || !okD || d == 0 {
		return 0, false
	}
	return n / d, true
}

// formatSummary returns summary.json (keys in a fixed order, ratios
// rounded to three decimals, null for what was not measured) and whether
// the results hold any of its ratios.
func formatSummary(res []*benchmark) (string, bool) {
	found := false
	var b strings.Builder
	object := func(indent, placement string, fields []summaryField) {
		for i, f := range fields {
			v := "null"
			if x, ok := ratio(res, placement, f); ok {
				v = strconv.FormatFloat(math.Round(x*1000)/1000, 'f', -1, 64)
				found = true
			}
			b.WriteString(indent + strconv.Quote(f.key) + ": " + v)
			if i < len(fields)-1 || placement == summaryPlacement {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("{\n")
	b.WriteString(`  "placement": ` + strconv.Quote(summaryPlacement) + ",\n")
	object("  ", summaryPlacement, summaryFields)
	b.WriteString(`  "same_core": {` + "\n")
	object("    ", sameCorePlacement, sameCoreFields)
	b.WriteString("  }\n}\n")
	return b.String(), found
}
