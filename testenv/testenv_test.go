package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// skipRecorder is a testing.TB that records Skip and Fatal instead of
// ending the real test; both end the goroutine like the real ones.
type skipRecorder struct {
	testing.TB
	skipped, fatal bool
	msg            string
}

func (r *skipRecorder) Helper() {}

func (r *skipRecorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *skipRecorder) Fatalf(format string, args ...any) {
	r.fatal, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// call runs f(tb) in its own goroutine and returns what it recorded and
// returned.
func call(t *testing.T, f func(testing.TB) string) (*skipRecorder, string) {
	r := &skipRecorder{TB: t}
	var got string
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = f(r)
	}()
	<-done
	return r, got
}

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("RepoRoot = %s without go.mod", root)
	}
	if _, err := os.Stat(filepath.Join(root, "testenv", "testenv.go")); err != nil {
		t.Errorf("RepoRoot = %s is not this repository", root)
	}

	t.Chdir(t.TempDir())
	r, _ := call(t, func(tb testing.TB) string { return RepoRoot(tb) })
	if !r.fatal || !strings.Contains(r.msg, "no go.mod") {
		t.Errorf("outside a module: fatal=%v msg=%q", r.fatal, r.msg)
	}
}

func TestFixturesFromEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(FixturesEnv, dir)
	if got := Fixtures(t); got != dir {
		t.Errorf("Fixtures = %s, want %s", got, dir)
	}
}

func TestFixturesSkipsWhenAbsent(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nothing")
	t.Setenv(FixturesEnv, missing)
	r, _ := call(t, func(tb testing.TB) string { return Fixtures(tb) })
	if !r.skipped {
		t.Fatal("no skip")
	}
	for _, want := range []string{missing, FixturesEnv, "../shared/fixtures"} {
		if !strings.Contains(r.msg, want) {
			t.Errorf("skip message %q does not name %q", r.msg, want)
		}
	}
}

func TestFixturesDefault(t *testing.T) {
	t.Setenv(FixturesEnv, "")
	want := filepath.Join(filepath.Dir(RepoRoot(t)), "shared", "fixtures")
	r, got := call(t, func(tb testing.TB) string { return Fixtures(tb) })
	if _, err := os.Stat(want); err == nil {
		if r.skipped || got != want {
			t.Errorf("Fixtures = %q (skipped %v), want %s", got, r.skipped, want)
		}
	} else if !r.skipped || !strings.Contains(r.msg, want) {
		t.Errorf("absent default: skipped=%v msg=%q", r.skipped, r.msg)
	}
}

func TestDSNs(t *testing.T) {
	cases := []struct {
		env  string
		get  func(testing.TB) string
		skip string
	}{
		{PostgresEnv, PostgresDSN, "no PostgreSQL: set DMSC_PG_DSN"},
		{MSSQLEnv, MSSQLDSN, "no SQL Server: set DMSC_MSSQL_DSN"},
	}
	for _, c := range cases {
		t.Setenv(c.env, "")
		r, _ := call(t, c.get)
		if !r.skipped || !strings.HasPrefix(r.msg, c.skip) {
			t.Errorf("%s unset: skipped=%v msg=%q", c.env, r.skipped, r.msg)
		}
		t.Setenv(c.env, "dsn://x")
		if r, got := call(t, c.get); r.skipped || got != "dsn://x" {
			t.Errorf("%s set: got %q skipped=%v", c.env, got, r.skipped)
		}
	}
}
