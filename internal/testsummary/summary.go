package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// The actions of `go test -json` events (go doc test2json) that testsummary
// acts on.
const (
	actionOutput      = "output"
	actionBuildOutput = "build-output"
	actionPass        = "pass"
	actionFail        = "fail"
	actionSkip        = "skip"
)

// Prefixes of the lines go test prints that testsummary treats apart.
const (
	framePrefix   = "=== "       // === RUN, PAUSE, CONT, NAME: -v framing
	failPrefix    = "--- FAIL: " // a failed test's result line
	skipPrefix    = "--- SKIP: " // a skipped test's result line
	okPrefix      = "ok  "       // a passed package's line
	noTestsPrefix = "?   "       // a package without test files
	// indent is how far go test indents a subtest's lines below its parent's.
	indent = "    "
)

// noMessage stands for the message of a test skipped without one.
const noMessage = "(no message)"

// logLine matches the start of a t.Log or t.Skip entry, "    file.go:12: ".
var logLine = regexp.MustCompile(`^\s*[^\s:]+\.go:\d+: `)

// event is one line of `go test -json`.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// entry is one output line of a test.
type entry struct {
	test, text string
}

// testTree holds the output of a top-level test and its subtests until it
// ends.
type testTree struct {
	entries []entry
	order   []string        // tests in the order they first wrote
	failed  map[string]bool // tests that failed
}

// pkgState is what is buffered of one package until it ends.
type pkgState struct {
	lines []string             // package-level output
	trees map[string]*testTree // by top-level test name
	order []string             // top-level tests in the order they first wrote
}

// skip is a skipped test and why.
type skip struct {
	pkg, test, message string
}

// summary turns `go test -json` events back into go test's text and
// collects the skipped tests.
type summary struct {
	w       io.Writer
	verbose bool
	pkgs    map[string]*pkgState
	skipped []skip
	failed  bool
	err     error // the first write error
}

// newSummary returns a summary writing to w.
func newSummary(w io.Writer, verbose bool) *summary {
	return &summary{w: w, verbose: verbose, pkgs: map[string]*pkgState{}}
}

// print writes text to the output, keeping the first error.
func (s *summary) print(text string) {
	if s.err == nil {
		_, s.err = io.WriteString(s.w, text)
	}
}

// line handles one line of input: an event, or text that go test printed
// as is, which is copied.
func (s *summary) line(data []byte) {
	var e event
	if err := json.Unmarshal(data, &e); err != nil || e.Action == "" {
		s.print(string(data))
		return
	}
	switch {
	case e.Action == actionBuildOutput:
		s.print(e.Output)
	case e.Action == actionOutput:
		if s.verbose {
			s.print(e.Output)
		}
		s.output(e)
	case e.Test != "" && (e.Action == actionPass || e.Action == actionFail || e.Action == actionSkip):
		s.testEnd(e)
	case e.Action == actionPass || e.Action == actionFail || e.Action == actionSkip:
		s.packageEnd(e)
	}
}

// pkg returns the state of a package.
func (s *summary) pkg(name string) *pkgState {
	p := s.pkgs[name]
	if p == nil {
		p = &pkgState{trees: map[string]*testTree{}}
		s.pkgs[name] = p
	}
	return p
}

// tree returns the tree of the top-level test of test in p.
func (p *pkgState) tree(test string) *testTree {
	top, _, _ := strings.Cut(test, "/")
	t := p.trees[top]
	if t == nil {
		t = &testTree{failed: map[string]bool{}}
		p.trees[top] = t
		p.order = append(p.order, top)
	}
	return t
}

// output buffers an output line of a test or a package.
func (s *summary) output(e event) {
	p := s.pkg(e.Package)
	if e.Test == "" {
		p.lines = append(p.lines, e.Output)
		return
	}
	t := p.tree(e.Test)
	if !slices.Contains(t.order, e.Test) {
		t.order = append(t.order, e.Test)
	}
	t.entries = append(t.entries, entry{test: e.Test, text: e.Output})
}

// testEnd records a test's result; when a top-level test ends, its output
// is printed if it failed, and dropped.
func (s *summary) testEnd(e event) {
	p := s.pkg(e.Package)
	t := p.tree(e.Test)
	switch e.Action {
	case actionFail:
		t.failed[e.Test] = true
	case actionSkip:
		s.skipped = append(s.skipped, skip{pkg: e.Package, test: e.Test, message: t.skipMessage(e.Test)})
	}
	if strings.Contains(e.Test, "/") {
		return
	}
	if e.Action == actionFail && !s.verbose {
		s.print(t.failureText())
	}
	delete(p.trees, e.Test)
}

// packageEnd prints a package's result line (and, when it failed, its
// output and that of tests that never ended) and drops its state.
func (s *summary) packageEnd(e event) {
	p := s.pkg(e.Package)
	delete(s.pkgs, e.Package)
	if e.Action == actionFail {
		s.failed = true
	}
	if s.verbose {
		return
	}
	if e.Action == actionFail {
		for _, top := range p.order {
			if t := p.trees[top]; t != nil {
				for _, en := range t.entries {
					if !strings.HasPrefix(en.text, framePrefix) {
						s.print(en.text)
					}
				}
			}
		}
	}
	for _, l := range p.lines {
		if e.Action == actionFail || strings.HasPrefix(l, okPrefix) || strings.HasPrefix(l, noTestsPrefix) {
			s.print(l)
		}
	}
}

// failureText is what go test prints of a failed test without -v: each
// failed test of the tree with its result line first and its output below,
// subtests indented under their parent; passed and skipped subtests are
// left out.
func (t *testTree) failureText() string {
	var b strings.Builder
	for _, name := range t.order {
		if !t.failed[name] {
			continue
		}
		pad := strings.Repeat(indent, strings.Count(name, "/"))
		var result string
		var body []string
		for _, en := range t.entries {
			switch {
			case en.test != name || strings.HasPrefix(en.text, framePrefix):
			case strings.HasPrefix(en.text, failPrefix) && result == "":
				result = en.text
			default:
				body = append(body, en.text)
			}
		}
		if result == "" {
			result = failPrefix + name + "\n"
		}
		b.WriteString(pad + result)
		for _, l := range body {
			if strings.TrimSpace(l) == "" {
				b.WriteString(l)
				continue
			}
			b.WriteString(pad + l)
		}
	}
	return b.String()
}

// skipMessage is the last message test logged before it was skipped (the
// t.Skip message), without its file:line and with its lines joined.
func (t *testTree) skipMessage(test string) string {
	var last []string
	for _, en := range t.entries {
		text := strings.TrimRight(en.text, "\n")
		switch {
		case en.test != test || strings.HasPrefix(text, framePrefix) || strings.HasPrefix(strings.TrimSpace(text), skipPrefix):
		case logLine.MatchString(text):
			last = []string{strings.TrimSpace(logLine.ReplaceAllString(text, ""))}
		case len(last) > 0:
			last = append(last, strings.TrimSpace(text))
		}
	}
	if msg := strings.Join(last, " "); msg != "" {
		return msg
	}
	return noMessage
}

// finish prints the summary of skipped tests and, when something failed, a
// last FAIL line as go test does.
func (s *summary) finish() {
	// Packages that never ended (go test was interrupted): print what they
	// buffered, as a failure would.
	var open []string
	for name := range s.pkgs {
		open = append(open, name)
	}
	sort.Strings(open)
	for _, name := range open {
		s.packageEnd(event{Action: actionFail, Package: name})
	}
	s.print(skipReport(s.skipped))
	if s.failed {
		s.print("FAIL\n")
	}
}

// skipReport lists skipped tests grouped by message, the messages and the
// tests of each in sorted order.
func skipReport(skipped []skip) string {
	byMessage := map[string][]skip{}
	var messages []string
	for _, sk := range skipped {
		if _, ok := byMessage[sk.message]; !ok {
			messages = append(messages, sk.message)
		}
		byMessage[sk.message] = append(byMessage[sk.message], sk)
	}
	sort.Strings(messages)
	var b strings.Builder
	fmt.Fprintf(&b, "\nskipped: %d %s\n", len(skipped), plural(len(skipped), "test", "tests"))
	for _, m := range messages {
		group := byMessage[m]
		sort.Slice(group, func(i, j int) bool {
			if group[i].pkg != group[j].pkg {
				return group[i].pkg < group[j].pkg
			}
			return group[i].test < group[j].test
		})
		fmt.Fprintf(&b, "  %s (%d):\n", m, len(group))
		for _, sk := range group {
			fmt.Fprintf(&b, "    %s %s\n", sk.pkg, sk.test)
		}
	}
	return b.String()
}

// plural picks the singular or plural form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
