package main

import (
	"regexp"
	"strconv"
	"strings"
)

// sample is one result line: its metrics by unit ("ns/op", "B/op", ...).
type sample map[string]float64

// benchmark is every run of one benchmark of one package.
type benchmark struct {
	pkg     string
	name    string // full name without the "Benchmark" prefix
	samples []sample
}

// parser reads `go test -bench` output line by line.
type parser struct {
	pkg     string
	cpu     string
	pending string // a benchmark name printed alone (its output came between)
	failed  bool
	order   []*benchmark
	byKey   map[string]*benchmark
}

func newParser() *parser { return &parser{byKey: map[string]*benchmark{}} }

var (
	// resultLine is "BenchmarkX-2   100   123 ns/op   ..." (name optional
	// when it was printed on an earlier line).
	resultLine = regexp.MustCompile(`^(Benchmark\S*)?\s+(\d+)\s+(\S.*)$`)
	// nameOnly is a benchmark name printed before its own log output.
	nameOnly = regexp.MustCompile(`^(Benchmark\S+)\s*$`)
	// procsSuffix is the GOMAXPROCS suffix go test appends to names.
	procsSuffix = regexp.MustCompile(`-\d+$`)
)

// line consumes one line of output.
func (p *parser) line(line string) {
	switch {
	case strings.HasPrefix(line, "pkg: "):
		p.pkg = strings.TrimSpace(strings.TrimPrefix(line, "pkg: "))
		return
	case strings.HasPrefix(line, "cpu: "):
		p.cpu = strings.TrimSpace(strings.TrimPrefix(line, "cpu: "))
		return
	case strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "panic: "):
		p.failed = true
		return
	}
	if m := nameOnly.FindStringSubmatch(line); m != nil {
		p.pending = m[1]
		return
	}
	m := resultLine.FindStringSubmatch(line)
	if m == nil {
		return
	}
	name := m[1]
	if name == "" {
		name = p.pending
	}
	if name == "" {
		return
	}
	s, ok := parseMetrics(m[3])
	if !ok {
		return
	}
	p.pending = ""
	key := p.pkg + "\x00" + name
	b := p.byKey[key]
	if b == nil {
		b = &benchmark{pkg: p.pkg, name: name}
		p.byKey[key] = b
		p.order = append(p.order, b)
	}
	b.samples = append(b.samples, s)
}

// parseMetrics reads "123 ns/op  45 B/op  6 allocs/op  7.5 docs/s"; it
// needs ns/op to count the line as a result.
func parseMetrics(s string) (sample, bool) {
	f := strings.Fields(s)
	if len(f)%2 != 0 {
		return nil, false
	}
	out := sample{}
	for i := 0; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return nil, false
		}
		out[f[i+1]] = v
	}
	_, ok := out["ns/op"]
	return out, ok
}

// results returns the benchmarks in order of appearance, with the
// "Benchmark" prefix and, when every name carries one, the GOMAXPROCS
// suffix removed.
func (p *parser) results() []*benchmark {
	strip := len(p.order) > 0
	for _, b := range p.order {
		if !procsSuffix.MatchString(b.name) {
			strip = false
		}
	}
	out := make([]*benchmark, 0, len(p.order))
	merged := map[string]*benchmark{}
	for _, b := range p.order {
		name := strings.TrimPrefix(b.name, "Benchmark")
		if strip {
			name = procsSuffix.ReplaceAllString(name, "")
		}
		key := b.pkg + "\x00" + name
		if m := merged[key]; m != nil {
			m.samples = append(m.samples, b.samples...)
			continue
		}
		nb := &benchmark{pkg: b.pkg, name: name, samples: b.samples}
		merged[key] = nb
		out = append(out, nb)
	}
	return out
}

// groupCase splits a benchmark name at its last slash.
func groupCase(name string) (group, cas string) {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		return name[:i], name[i+1:]
	}
	return name, ""
}
