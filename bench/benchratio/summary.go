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
// of the median of unit in operation op, or null when op is "" (measured
// by later work) or the run did not measure it.
type summaryField struct {
	key, op, unit string
}

// summaryFields are the top-level keys, in the order they are written.
var summaryFields = []summaryField{
	{"get_p50_ratio_uncached_small", "GetSmall", "p50-ns"},
	{"get_p50_ratio_uncached_large", "GetLarge", "p50-ns"},
	{"get_p50_ratio_uncached", "Get", "p50-ns"},
	{"page_p50_ratio_uncached", "QueryPage100", "p50-ns"},
	{"get_p50_ratio_cached", "GetCached", "p50-ns"},
	// No benchmark reads a page through a cache yet (relstore's query pages
	// always assemble from the tables): null until one is named so.
	{"page_p50_ratio_cached", "QueryPage100Cached", "p50-ns"},
	{"write_ratio", "Load", "docs/s"},
	{"get_server_cpu_ratio_uncached", "Get", "server-cpu-ns/op"},
	{"get_client_cpu_ratio_uncached", "Get", "client-cpu-ns/op"},
	{"cache_hit_ratio", "", ""},
	{"projector_backlog_p99", "", ""},
	{"staleness_p99_ms", "", ""},
}

// sameCoreFields are the keys of the "same_core" object.
var sameCoreFields = []summaryField{
	{"get_p50_ratio_uncached_small", "GetSmall", "p50-ns"},
	{"get_p50_ratio_uncached_large", "GetLarge", "p50-ns"},
	{"get_p50_ratio_uncached", "Get", "p50-ns"},
	{"page_p50_ratio_uncached", "QueryPage100", "p50-ns"},
	{"get_p50_ratio_cached", "GetCached", "p50-ns"},
	{"get_server_cpu_ratio_uncached", "Get", "server-cpu-ns/op"},
	{"get_client_cpu_ratio_uncached", "Get", "client-cpu-ns/op"},
}

// ratio returns median(unit of relational) ÷ median(unit of baseline) for
// the operation in the placement, and whether both were measured.
func ratio(res []*benchmark, placement string, f summaryField) (float64, bool) {
	if f.op == "" {
		return 0, false
	}
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
