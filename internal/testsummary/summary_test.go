package main

import (
	"os"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/golden"
)

// TestRecordedSample runs testsummary on testdata/sample.json, recorded
// from `go test -json ./...` on a module whose packages pass, skip (with a
// message, after a log line, with two lines, without one, in a subtest),
// fail (in a subtest, with stdout output), panic, do not build and have no
// test files.
func TestRecordedSample(t *testing.T) {
	in, err := os.Open("testdata/sample.json")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for _, c := range []struct {
		name    string
		verbose bool
	}{{"sample", false}, {"sample-verbose", true}} {
		if _, err := in.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		failed, err := run(in, &out, c.verbose)
		if err != nil || !failed {
			t.Errorf("%s: failed %v, err %v; want failed, no error", c.name, failed, err)
		}
		golden.Assert(t, c.name, []byte(out.String()))
	}
}

func TestRun(t *testing.T) {
	const (
		pass = `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:3: noise\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"--- PASS: TestA (0.00s)\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Output":"PASS\n"}
{"Action":"output","Package":"p","Output":"ok  \tp\t0.01s\n"}
{"Action":"pass","Package":"p"}
`
		skipAfterLog = `{"Action":"output","Package":"q","Test":"TestB","Output":"=== RUN   TestB\n"}
{"Action":"output","Package":"q","Test":"TestB","Output":"    b_test.go:3: first\n"}
{"Action":"output","Package":"q","Test":"TestB","Output":"    b_test.go:4: DMSC_PG_DSN is not set\n"}
{"Action":"output","Package":"q","Test":"TestB","Output":"--- SKIP: TestB (0.00s)\n"}
{"Action":"skip","Package":"q","Test":"TestB"}
{"Action":"output","Package":"q","Output":"ok  \tq\t0.01s\n"}
{"Action":"pass","Package":"q"}
`
		failed = `{"Action":"output","Package":"r","Test":"TestC","Output":"    c_test.go:9: boom\n"}
{"Action":"output","Package":"r","Test":"TestC","Output":"--- FAIL: TestC (0.00s)\n"}
{"Action":"fail","Package":"r","Test":"TestC"}
{"Action":"output","Package":"r","Output":"FAIL\n"}
{"Action":"output","Package":"r","Output":"FAIL\tr\t0.01s\n"}
{"Action":"fail","Package":"r"}
`
		interrupted = `{"Action":"output","Package":"s","Test":"TestD","Output":"=== RUN   TestD\n"}
{"Action":"output","Package":"s","Test":"TestD","Output":"    d_test.go:2: half way\n"}
`
	)
	cases := []struct {
		name, in, want string
		failed         bool
	}{
		{name: "pass", in: pass, want: "ok  \tp\t0.01s\n\nskipped: 0 tests\n"},
		{name: "skip after a log line", in: skipAfterLog,
			want: "ok  \tq\t0.01s\n\nskipped: 1 test\n  DMSC_PG_DSN is not set (1):\n    q TestB\n"},
		{name: "fail", in: pass + failed, failed: true,
			want: "ok  \tp\t0.01s\n--- FAIL: TestC (0.00s)\n    c_test.go:9: boom\nFAIL\nFAIL\tr\t0.01s\n\nskipped: 0 tests\nFAIL\n"},
		{name: "text that is no event is copied", in: "go: downloading x v1.0.0\n" + pass,
			want: "go: downloading x v1.0.0\nok  \tp\t0.01s\n\nskipped: 0 tests\n"},
		{name: "a package that never ended fails", in: interrupted, failed: true,
			want: "    d_test.go:2: half way\n\nskipped: 0 tests\nFAIL\n"},
		{name: "no input", in: "", want: "\nskipped: 0 tests\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			failed, err := run(strings.NewReader(c.in), &out, false)
			if err != nil {
				t.Fatal(err)
			}
			if failed != c.failed {
				t.Errorf("failed %v, want %v", failed, c.failed)
			}
			if out.String() != c.want {
				t.Errorf("output:\n%s\nwant:\n%s", out.String(), c.want)
			}
		})
	}
}
