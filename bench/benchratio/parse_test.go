package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/golden"
)

const sampleOutput = `goos: linux
goarch: amd64
pkg: github.com/edfi-dmsc/dmsc/compiler
cpu: Test CPU @ 1.00GHz
BenchmarkCompile/baseline-2         	     100	  1000 ns/op	  500 B/op	       5 allocs/op
BenchmarkCompile/ds50-2             	      10	  2500 ns/op	 1500 B/op	      50 allocs/op
BenchmarkCompile/baseline-2         	     100	  1200 ns/op	  500 B/op	       5 allocs/op
BenchmarkCompile/ds50-2             	      10	  3100 ns/op	 1500 B/op	      50 allocs/op
BenchmarkCompile/baseline-2         	     100	  1100 ns/op	  500 B/op	       5 allocs/op
BenchmarkCompile/ds50-2             	      10	  2700 ns/op	 1500 B/op	      50 allocs/op
BenchmarkCanonical-2                	    5000	   250.5 ns/op
PASS
ok  	github.com/edfi-dmsc/dmsc/compiler	3.210s
pkg: github.com/edfi-dmsc/dmsc/runtime
BenchmarkWrite/K=10/baseline-2
    write_test.go:12: loaded 10 documents
BenchmarkWrite/K=10/baseline-2      	       3	  4000 ns/op	  900.0 docs/s	 2 roundtrips/op
BenchmarkWrite/K=10/relational-2    	       3	  2000 ns/op	 1800 docs/s	 4 roundtrips/op
BenchmarkWrite/K=10/relational-2    	       3	  3000 ns/op	 1600 docs/s	 4 roundtrips/op
BenchmarkWrite/K=10/unrelated-2     	       3	  bad line
PASS
ok  	github.com/edfi-dmsc/dmsc/runtime	1.000s
`

func parse(t *testing.T, text string) (*parser, []*benchmark) {
	t.Helper()
	p := newParser()
	for _, line := range strings.Split(text, "\n") {
		p.line(line)
	}
	return p, p.results()
}

func TestParse(t *testing.T) {
	p, res := parse(t, sampleOutput)
	if p.failed {
		t.Error("failed set on a passing run")
	}
	if p.cpu != "Test CPU @ 1.00GHz" {
		t.Errorf("cpu %q", p.cpu)
	}
	var got []string
	for _, r := range res {
		got = append(got, r.pkg[strings.LastIndex(r.pkg, "/")+1:]+" "+r.name+" "+num(float64(len(r.samples))))
	}
	want := []string{
		"compiler Compile/baseline 3",
		"compiler Compile/ds50 3",
		"compiler Canonical 1",
		"runtime Write/K=10/baseline 1",
		"runtime Write/K=10/relational 2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := res[3].samples[0]; s["docs/s"] != 900 || s["roundtrips/op"] != 2 || s["ns/op"] != 4000 {
		t.Errorf("metrics of a result printed after its log output: %v", s)
	}
}

func TestProcsSuffixKeptUnlessEveryNameHasOne(t *testing.T) {
	_, res := parse(t, "BenchmarkSize/n-100   10   5 ns/op\nBenchmarkOther   10   5 ns/op\n")
	if res[0].name != "Size/n-100" || res[1].name != "Other" {
		t.Errorf("names %q %q", res[0].name, res[1].name)
	}
	_, res = parse(t, "BenchmarkSize/n-100-8   10   5 ns/op\n")
	if res[0].name != "Size/n-100" {
		t.Errorf("name %q", res[0].name)
	}
}

func TestFailureDetected(t *testing.T) {
	for _, line := range []string{"--- FAIL: BenchmarkX", "FAIL\tgithub.com/x\t0.1s", "panic: boom"} {
		if p, _ := parse(t, line); !p.failed {
			t.Errorf("%q not seen as a failure", line)
		}
	}
}

func TestMedian(t *testing.T) {
	s := []sample{{"x": 3}, {"x": 1}, {"x": 2}, {"y": 7}}
	if m, ok := median(s, "x"); !ok || m != 2 {
		t.Errorf("odd median %v %v", m, ok)
	}
	s = append(s, sample{"x": 10})
	if m, _ := median(s, "x"); m != 2.5 {
		t.Errorf("even median %v", m)
	}
	if _, ok := median(s, "z"); ok {
		t.Error("median of an absent unit")
	}
}

func TestFormatTable(t *testing.T) {
	_, res := parse(t, sampleOutput)
	table := formatTable(res)
	rows := map[string]string{}
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			rows[f[0]+" "+f[1]] = line
		}
	}
	checks := map[string][]string{
		"Compile baseline":      {" 3 ", " 1100 ", "1.00x (base)", " 500 ", " 5 "},
		"Compile ds50":          {" 2700 ", "2.45x", " 1500 ", " 50 "},
		"Canonical -":           {" 250 "},
		"Write/K=10 baseline":   {"1.00x (base)", "900 docs/s, 2 roundtrips/op"},
		"Write/K=10 relational": {" 2500 ", "0.62x", "1700 docs/s, 4 roundtrips/op"},
	}
	for row, wants := range checks {
		line, ok := rows[row]
		if !ok {
			t.Errorf("no row %q in\n%s", row, table)
			continue
		}
		for _, w := range wants {
			if !strings.Contains(line, w) {
				t.Errorf("row %q lacks %q: %s", row, w, line)
			}
		}
	}
	if !strings.Contains(table, "pkg: github.com/edfi-dmsc/dmsc/runtime") {
		t.Errorf("package header missing:\n%s", table)
	}
	golden.Assert(t, "table", []byte(table))
	if got := formatTable(nil); got != "no benchmark results\n" {
		t.Errorf("empty table %q", got)
	}
}

func TestRunWritesFiles(t *testing.T) {
	dir := t.TempDir()
	out, raw := filepath.Join(dir, "results", "latest.txt"), filepath.Join(dir, "results", "latest.raw.txt")
	var stdout strings.Builder
	if err := run(strings.NewReader(sampleOutput), &stdout, files{out: out, raw: raw}, false); err != nil {
		t.Fatal(err)
	}
	rawText, err := os.ReadFile(raw)
	if err != nil || string(rawText) != sampleOutput {
		t.Errorf("raw copy differs (%v)", err)
	}
	report, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"date: ", "go: go", "machine: ", "cpu: ", "cores: ", "Compile", "2.45x"} {
		if !strings.Contains(string(report), w) {
			t.Errorf("report lacks %q:\n%s", w, report)
		}
	}
	if !strings.HasPrefix(stdout.String(), sampleOutput) || !strings.Contains(stdout.String(), "2.45x") {
		t.Errorf("stdout does not echo the input then the table:\n%s", stdout.String())
	}
	if err := run(strings.NewReader("--- FAIL: BenchmarkX\n"), &stdout, files{}, true); err == nil {
		t.Error("no error for a failed run")
	}
}

func TestLatencyMetricRatios(t *testing.T) {
	_, res := parse(t, `pkg: x
BenchmarkGet/baseline-2     100   1000 ns/op   800 p50-ns   2000 p99-ns   1 roundtrips/op
BenchmarkGet/relational-2   100   3000 ns/op  1600 p50-ns   9000 p99-ns   1 roundtrips/op
`)
	table := formatTable(res)
	for _, w := range []string{"3.00x", "1600 p50-ns (2.00x), 9000 p99-ns (4.50x), 1 roundtrips/op", "800 p50-ns, 2000 p99-ns, 1 roundtrips/op"} {
		if !strings.Contains(table, w) {
			t.Errorf("table lacks %q:\n%s", w, table)
		}
	}
}
