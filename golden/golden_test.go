package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// recorder is a testing.TB that records failures instead of reporting them;
// Fatal and FailNow end the goroutine like the real ones.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	failed bool
	fatal  bool
	msgs   []string
}

func (r *recorder) Helper() {}

func (r *recorder) Error(args ...any) { r.log(false, fmt.Sprint(args...)) }

func (r *recorder) Errorf(format string, args ...any) { r.log(false, fmt.Sprintf(format, args...)) }

func (r *recorder) Fatal(args ...any) { r.log(true, fmt.Sprint(args...)); runtime.Goexit() }

func (r *recorder) Fatalf(format string, args ...any) {
	r.log(true, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (r *recorder) Fail() { r.log(false, "") }

func (r *recorder) FailNow() { r.log(true, ""); runtime.Goexit() }

func (r *recorder) Failed() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }

func (r *recorder) log(fatal bool, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.fatal = r.fatal || fatal
	if msg != "" {
		r.msgs = append(r.msgs, msg)
	}
}

// output is everything the recorder was told.
func (r *recorder) output() string { return strings.Join(r.msgs, "\n") }

// record runs f with a recorder in its own goroutine, as t.Run would.
func record(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

// setUpdate turns -update on or off for the rest of the test, so that the
// tests also pass under `make golden`.
func setUpdate(t *testing.T, on bool) {
	old := flag.Lookup("update").Value.String()
	if err := flag.Set("update", fmt.Sprint(on)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = flag.Set("update", old) })
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAssertMatches(t *testing.T) {
	// testdata/hello.golden is committed.
	Assert(t, "hello", []byte("hello, golden\n"))
}

// inTempTestdata runs the test in a fresh directory whose
// testdata/hello.golden holds "hello, golden\n", with -update off.
func inTempTestdata(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	setUpdate(t, false)
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "hello.golden"), []byte("hello, golden\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAssertMismatchShowsDiff(t *testing.T) {
	inTempTestdata(t)
	r := record(t, func(tb testing.TB) { Assert(tb, "hello", []byte("hello, world\n")) })
	if !r.Failed() || r.fatal {
		t.Fatalf("want a non-fatal failure, got failed=%v fatal=%v", r.Failed(), r.fatal)
	}
	for _, want := range []string{
		"--- " + filepath.Join("testdata", "hello.golden") + " (golden)",
		"+++ got",
		"-hello, golden",
		"+hello, world",
		"-update",
	} {
		if !strings.Contains(r.output(), want) {
			t.Errorf("report lacks %q:\n%s", want, r.output())
		}
	}
}

func TestAssertMissingFile(t *testing.T) {
	inTempTestdata(t)
	r := record(t, func(tb testing.TB) { Assert(tb, "no-such-case", []byte("x")) })
	if !r.fatal || !strings.Contains(r.output(), filepath.Join("testdata", "no-such-case.golden")+" does not exist") {
		t.Errorf("fatal=%v output:\n%s", r.fatal, r.output())
	}
}

func TestAssertUpdateWritesFile(t *testing.T) {
	t.Chdir(t.TempDir())
	setUpdate(t, true)
	if !Updating() {
		t.Fatal("Updating() is false under -update")
	}
	Assert(t, "sub/case", []byte("new output\n"))
	if got := readFile(t, filepath.Join("testdata", "sub", "case.golden")); got != "new output\n" {
		t.Errorf("golden file holds %q", got)
	}
	setUpdate(t, false)
	Assert(t, "sub/case", []byte("new output\n"))
}

func TestAssertFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cases", "one", "expected")
	setUpdate(t, true)
	AssertFile(t, dir, "schema.pgsql.sql", []byte("CREATE SCHEMA dms;\n"))
	setUpdate(t, false)
	AssertFile(t, dir, "schema.pgsql.sql", []byte("CREATE SCHEMA dms;\n"))
	r := record(t, func(tb testing.TB) { AssertFile(tb, dir, "schema.pgsql.sql", []byte("CREATE SCHEMA edfi;\n")) })
	if !r.Failed() || !strings.Contains(r.output(), "+CREATE SCHEMA edfi;") {
		t.Errorf("mismatch not reported:\n%s", r.output())
	}
}

func TestDiffIsBounded(t *testing.T) {
	var want, got strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&want, "line %d\n", i)
		fmt.Fprintf(&got, "LINE %d\n", i)
	}
	d := diff("x.golden", want.String(), got.String())
	if n := strings.Count(d, "\n"); n > maxDiffLines+3 {
		t.Errorf("diff has %d lines", n)
	}
	if !strings.Contains(d, "more diff lines") {
		t.Errorf("truncation not said:\n%s", d[len(d)-200:])
	}
}

func TestAssertDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "expected")
	files := map[string][]byte{"a.sql": []byte("a\n"), "manifests/b.json": []byte("{}\n")}

	setUpdate(t, true)
	AssertDir(t, dir, files)
	if err := os.WriteFile(filepath.Join(dir, "stale.sql"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}

	setUpdate(t, false)
	r := record(t, func(tb testing.TB) { AssertDir(tb, dir, files) })
	if !r.Failed() || !strings.Contains(r.output(), "stale.sql was not produced") {
		t.Errorf("stale file not reported:\n%s", r.output())
	}

	setUpdate(t, true)
	AssertDir(t, dir, files)
	if _, err := os.Stat(filepath.Join(dir, "stale.sql")); !os.IsNotExist(err) {
		t.Errorf("stale file kept under -update: %v", err)
	}

	setUpdate(t, false)
	AssertDir(t, dir, files)
	r = record(t, func(tb testing.TB) {
		AssertDir(tb, dir, map[string][]byte{"a.sql": []byte("a\n"), "manifests/b.json": []byte("[]\n")})
	})
	if !r.Failed() || !strings.Contains(r.output(), "+[]") {
		t.Errorf("changed file not reported:\n%s", r.output())
	}
}
