// Command testsummary reads the output of `go test -json` on standard input
// and prints what `go test` prints without -json (each package's ok, FAIL or
// "no test files" line and the output of failing tests), then the skipped
// tests grouped by their skip message. It exits with status 1 when a test
// or a package failed, else 0. `make test` runs it:
//
//	go test -json ./... | testsummary [-v]
//
// With -v it prints every output line, as `go test -v` does.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	verbose := flag.Bool("v", false, "print every test's output, as go test -v does")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go test -json ./... | testsummary [-v]")
		os.Exit(2)
	}
	failed, err := run(os.Stdin, os.Stdout, *verbose)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	if failed {
		os.Exit(1)
	}
}

// run copies the events of r to w as text, then the skip summary, and
// reports whether anything failed.
func run(r io.Reader, w io.Writer, verbose bool) (failed bool, err error) {
	s := newSummary(w, verbose)
	br := bufio.NewReader(r)
	for {
		line, rerr := br.ReadBytes('\n')
		if len(line) > 0 {
			s.line(line)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return true, rerr
		}
	}
	s.finish()
	return s.failed, s.err
}
