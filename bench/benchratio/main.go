// Command benchratio turns `go test -bench` output into a table of ratios,
// for the project's rule that benchmarks report ratios to a baseline measured
// in the same run rather than absolute times.
//
// Usage (what `make bench` runs):
//
//	go test -run='^$' -bench=. -benchmem -count=5 ./... | go run ./bench/benchratio
//
// It copies its input to stdout as it arrives, then writes
//
//   - bench/results/latest.txt (-o): a machine description (date, go
//     version, uname -m, CPU model, core count) and the table;
//   - bench/results/latest.raw.txt (-raw): the input unchanged, for
//     benchstat;
//   - bench/results/summary.json (-summary), when the input holds
//     bench/runtimebench results on the DS 5.0 corpus: the ratios
//     relational ÷ baseline that issue 15 tracks, cross-core placement
//     (GET p50 of a small and a large document, of every document and
//     through the document cache, query page p50, load docs/s, server and
//     client CPU per GET), the same read ratios in the same-core
//     placement under "same_core", and null for what the run did not
//     measure. Keys are in a fixed order.
//
// and prints the table. It exits 1 when the input reports a failure.
//
// # Convention
//
// Each benchmark name, without its "Benchmark" prefix and GOMAXPROCS
// suffix, is split at its last slash into a group and a case:
// BenchmarkCompile/ds50 is case "ds50" of group "Compile", and
// BenchmarkCascade/K=100/jsonb is case "jsonb" of group "Cascade/K=100".
// The case named "baseline" is the denominator of its group (within one
// package): every other case of the group gets the ratio of its median ns/op
// to the baseline's median ns/op. So a comparison is written as
//
//	func BenchmarkCompile(b *testing.B) {
//		b.Run("baseline", func(b *testing.B) { ... decode with encoding/json ... })
//		b.Run("ds50", func(b *testing.B) { ... compile ... })
//	}
//
// Groups without a baseline case are listed without ratios. Each row shows
// the median over the -count runs of ns/op, B/op, allocs/op and of any
// metric reported with b.ReportMetric (docs/s, roundtrips/op, ...); metrics
// that are times, their unit ending in "-ns" or holding "-ns/" (latencies
// such as p50-ns, CPU times such as server-cpu-ns/op), also get their
// ratio to the baseline's, printed after the value as "(2.10x)". Case
// names should not end in -<digits>, which reads as a GOMAXPROCS suffix.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("o", "bench/results/latest.txt", "write the machine description and the table to `FILE`")
	raw := flag.String("raw", "bench/results/latest.raw.txt", "write the unchanged input to `FILE` (benchstat reads it)")
	summary := flag.String("summary", "", "write the runtime ratios as JSON to `FILE` when the input has bench/runtimebench DS 5.0 results")
	quiet := flag.Bool("q", false, "do not copy the input to stdout")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, files{out: *out, raw: *raw, summary: *summary}, *quiet); err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
}

// files are the paths run writes; an empty path writes nothing.
type files struct {
	// out gets the machine description and the table, raw the unchanged
	// input, summary the runtime ratios (summary.json).
	out, raw, summary string
}

// run reads benchmark output from in, echoes it unless quiet, and writes the
// raw copy, the report and the summary.
func run(in io.Reader, stdout io.Writer, paths files, quiet bool) error {
	outPath, rawPath := paths.out, paths.raw
	var rawText strings.Builder
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	p := newParser()
	for sc.Scan() {
		line := sc.Text()
		rawText.WriteString(line)
		rawText.WriteByte('\n')
		if !quiet {
			fmt.Fprintln(stdout, line)
		}
		p.line(line)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	res := p.results()
	table := formatTable(res)
	report := describeMachine(p.cpu) + "\n" + table
	if err := writeFile(rawPath, rawText.String()); err != nil {
		return err
	}
	if err := writeFile(outPath, report); err != nil {
		return err
	}
	fmt.Fprint(stdout, "\n"+report)
	if paths.summary != "" {
		if summary, ok := formatSummary(res); ok {
			if err := writeFile(paths.summary, summary); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "\nsummary written to %s:\n%s", paths.summary, summary)
		} else {
			fmt.Fprintf(stdout, "\nno %s results on %s: %s left as it was\n", summaryPkg, summaryCorpus, paths.summary)
		}
	}
	if outPath != "" {
		fmt.Fprintf(stdout, "\nwritten to %s", outPath)
		if rawPath != "" {
			fmt.Fprintf(stdout, " (raw output: %s)", rawPath)
		}
		fmt.Fprintln(stdout)
	}
	if p.failed {
		return fmt.Errorf("the benchmark run reported a failure")
	}
	return nil
}

// writeFile writes text to path, creating its directory; an empty path
// writes nothing.
func writeFile(path, text string) error {
	if path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
