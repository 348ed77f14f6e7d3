package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// baselineCase is the case name that is the denominator of its group.
const baselineCase = "baseline"

// standardUnits are the metrics with their own columns.
var standardUnits = map[string]bool{"ns/op": true, "B/op": true, "allocs/op": true}

// median returns the median of the unit's values over the samples that
// report it, and whether any does.
func median(samples []sample, unit string) (float64, bool) {
	var v []float64
	for _, s := range samples {
		if x, ok := s[unit]; ok {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return 0, false
	}
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2], true
	}
	return (v[n/2-1] + v[n/2]) / 2, true
}

// formatTable renders one table per package: group, case, runs, median
// ns/op, ratio to the group's baseline, B/op, allocs/op and other metrics.
func formatTable(res []*benchmark) string {
	if len(res) == 0 {
		return "no benchmark results\n"
	}
	var b strings.Builder
	var pkgs []string
	byPkg := map[string][]*benchmark{}
	for _, r := range res {
		if _, ok := byPkg[r.pkg]; !ok {
			pkgs = append(pkgs, r.pkg)
		}
		byPkg[r.pkg] = append(byPkg[r.pkg], r)
	}
	for i, pkg := range pkgs {
		if i > 0 {
			b.WriteString("\n")
		}
		if pkg != "" {
			fmt.Fprintf(&b, "pkg: %s\n", pkg)
		}
		baselines := map[string]float64{}
		baseSamples := map[string][]sample{}
		for _, r := range byPkg[pkg] {
			if g, c := groupCase(r.name); c == baselineCase {
				baseSamples[g] = r.samples
				if ns, ok := median(r.samples, "ns/op"); ok {
					baselines[g] = ns
				}
			}
		}
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "group\tcase\truns\tns/op\tvs baseline\tB/op\tallocs/op\tother (medians)")
		for _, r := range byPkg[pkg] {
			g, c := groupCase(r.name)
			ns, _ := median(r.samples, "ns/op")
			ratio := "-"
			if base, ok := baselines[g]; ok {
				switch {
				case c == baselineCase:
					ratio = "1.00x (base)"
				case base > 0:
					ratio = fmt.Sprintf("%.2fx", ns/base)
				}
			}
			if c == "" {
				c = "-"
			}
			var base []sample
			if c != baselineCase {
				base = baseSamples[g]
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", g, c, len(r.samples),
				num(ns), ratio, metric(r.samples, "B/op"), metric(r.samples, "allocs/op"), others(r.samples, base))
		}
		tw.Flush()
	}
	return b.String()
}

// metric formats the median of unit, or "-" when not reported.
func metric(samples []sample, unit string) string {
	if v, ok := median(samples, unit); ok {
		return num(v)
	}
	return "-"
}

// isTime reports whether a custom metric is a time (p50-ns, p99-ns,
// server-cpu-ns/op, client-cpu-ns/doc): like ns/op, such metrics get a
// ratio to the group's baseline.
func isTime(unit string) bool {
	return strings.HasSuffix(unit, "-ns") || strings.Contains(unit, "-ns/")
}

// others lists the medians of the metrics without a column of their own;
// time metrics (isTime) also show their ratio to the same metric of base (the
// group's baseline samples; nil for the baseline itself or without one).
func others(samples, base []sample) string {
	units := map[string]bool{}
	for _, s := range samples {
		for u := range s {
			if !standardUnits[u] {
				units[u] = true
			}
		}
	}
	names := make([]string, 0, len(units))
	for u := range units {
		names = append(names, u)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, u := range names {
		v, _ := median(samples, u)
		part := num(v) + " " + u
		if b, ok := median(base, u); ok && b > 0 && isTime(u) {
			part += fmt.Sprintf(" (%.2fx)", v/b)
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// num prints values of 100 and more as whole numbers and smaller ones with
// three significant digits.
func num(v float64) string {
	if math.Abs(v) >= 100 || v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
