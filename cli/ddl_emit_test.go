package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/golden"
)

// readTree returns every file under dir (slash-separated relative path →
// content) and every directory (path + "/" → nil).
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." {
				out[rel+"/"] = nil
			}
			return nil
		}
		data, err := os.ReadFile(path)
		out[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTree fails the test when dir no longer holds exactly before.
func sameTree(t *testing.T, dir string, before map[string][]byte) {
	t.Helper()
	after := readTree(t, dir)
	var changed []string
	for name, data := range before {
		if got, ok := after[name]; !ok {
			changed = append(changed, "removed "+name)
		} else if string(got) != string(data) {
			changed = append(changed, "changed "+name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			changed = append(changed, "added "+name)
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 {
		t.Errorf("%s was modified:\n%s", dir, strings.Join(changed, "\n"))
	}
}

// emitInto runs ddl emit -q into a fresh directory and returns it.
func emitInto(t *testing.T, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	mustCode(t, runCLI(t, append([]string{"ddl", "emit", "-q", "-o", out}, args...)...), ExitOK)
	return out
}

// TestDDLEmitForceForeignFile (golden: stdout, stderr, exit code): --force
// into a directory that holds dmsc's outputs plus a file dmsc does not
// write is refused, naming the file, and the directory is left untouched.
func TestDDLEmitForceForeignFile(t *testing.T) {
	out := emitInto(t)
	if err := os.WriteFile(filepath.Join(out, "notes.txt"), []byte("my notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, out)
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(out))
	r := runCLI(t, "ddl", "emit", "-q", "-o", "out", "--force")
	golden.AssertFile(t, testdata, "ddl-emit-force-foreign.golden", []byte(fmt.Sprintf("$ dmsc ddl emit -q -o out --force\nexit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)))
	sameTree(t, out, before)
}

// TestDDLEmitForceKeepsSubdirectories: a .git directory (or any other
// subdirectory) in the output directory is never removed; --force is
// refused and nothing changes.
func TestDDLEmitForceKeepsSubdirectories(t *testing.T) {
	for _, sub := range []string{".git", "history"} {
		t.Run(sub, func(t *testing.T) {
			out := emitInto(t)
			if err := os.MkdirAll(filepath.Join(out, sub, "objects"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, sub, "HEAD"), []byte("ref: refs/heads/main\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			// Make the outputs stale, so that a successful run would change them.
			if err := os.WriteFile(filepath.Join(out, "pgsql.sql"), []byte("-- old\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := readTree(t, out)
			r := runCLI(t, "ddl", "emit", "-q", "-o", out, "--force")
			if r.code != ExitFailure {
				t.Errorf("exit code %d, want %d\nstderr:\n%s", r.code, ExitFailure, r.stderr)
			}
			if !strings.Contains(r.stderr, sub+"/") {
				t.Errorf("stderr does not name %s/:\n%s", sub, r.stderr)
			}
			sameTree(t, out, before)
		})
	}
}

// TestDDLEmitForceDot: -o . --force works in a directory holding only
// dmsc's outputs (the directory itself cannot be renamed), and replaces
// them.
func TestDDLEmitForceDot(t *testing.T) {
	out := emitInto(t)
	if err := os.WriteFile(filepath.Join(out, "pgsql.sql"), []byte("-- old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(out)
	r := runCLI(t, "ddl", "emit", "-o", ".", "--force", "-q")
	mustCode(t, r, ExitOK)
	mustCode(t, runCLI(t, withExample("ddl", "check", "-q", "--against", ".")...), ExitOK)
	// Without --force the same directory is refused.
	r = runCLI(t, "ddl", "emit", "-o", ".", "-q")
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stderr, "--force") {
		t.Errorf("stderr: %s", r.stderr)
	}
	// An empty current directory is written without --force.
	t.Chdir(t.TempDir())
	mustCode(t, runCLI(t, "ddl", "emit", "-o", ".", "-q"), ExitOK)
	mustCode(t, runCLI(t, withExample("ddl", "check", "-q", "--against", ".")...), ExitOK)
}

// TestDDLEmitForceOtherDialect: --force with one dialect over a directory
// holding both leaves exactly what emit writes for that dialect (the other
// dialect's files, which dmsc wrote, are removed), no temporary files, and
// the files are readable by everyone (as os.WriteFile made them).
func TestDDLEmitForceOtherDialect(t *testing.T) {
	out := emitInto(t)
	r := runCLI(t, "ddl", "emit", "-o", out, "--force", "--dialect", "pgsql", "-q")
	mustCode(t, r, ExitOK)
	for _, name := range []string{"mssql.sql", "manifest.mssql.json"} {
		if !strings.Contains(r.stderr, "removed "+filepath.Join(out, name)+" (not written for --dialect pgsql)") {
			t.Errorf("stderr does not report removing %s:\n%s", name, r.stderr)
		}
	}
	mustCode(t, runCLI(t, withExample("ddl", "check", "-q", "--dialect", "pgsql", "--against", out)...), ExitOK)
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm()&0o044 != 0o044 {
			t.Errorf("%s has mode %v", e.Name(), info.Mode())
		}
	}
	if got := strings.Join(names, " "); got != "ddl-manifest.json effective-schema.json manifest.pgsql.json pgsql.sql" {
		t.Errorf("directory holds %s", got)
	}
}

// TestOutputNames: the names --force may replace are exactly the names
// emitOutputs writes, for every --dialect value.
func TestOutputNames(t *testing.T) {
	e := &env{ctx: t.Context(), stderr: io.Discard}
	res, err := e.compile(&schemaFlags{quiet: true}, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"pgsql", "mssql", "both"} {
		dialects, err := dialectsFor(v)
		if err != nil {
			t.Fatal(err)
		}
		files, err := ddl.Emit(res, dialects)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range files {
			names = append(names, f.Name)
			if !ownedNames()[f.Name] {
				t.Errorf("%s is written but not owned", f.Name)
			}
		}
		if got, want := strings.Join(names, " "), strings.Join(ddl.OutputNames(dialects), " "); got != want {
			t.Errorf("--dialect %s: emit writes %s, OutputNames says %s", v, got, want)
		}
	}
	if len(ownedNames()) != 6 {
		t.Errorf("owned names: %v", ownedNames())
	}
}

// TestDDLEmitForceTempLeftovers: a temporary file a killed run left
// beside an output is dmsc's own and is removed by --force; a dot file
// that only looks similar is foreign.
func TestDDLEmitForceTempLeftovers(t *testing.T) {
	out := emitInto(t)
	leftover := filepath.Join(out, ".pgsql.sql"+tempOutputMarker+"123456")
	if err := os.WriteFile(leftover, []byte("-- partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "ddl", "emit", "-q", "-o", out, "--force")
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stderr, "removed "+leftover+" (a temporary file an interrupted run left)") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if _, err := os.Stat(leftover); err == nil {
		t.Error("the leftover temporary file is still there")
	}
	mustCode(t, runCLI(t, withExample("ddl", "check", "-q", "--against", out)...), ExitOK)

	for _, name := range []string{".notes" + tempOutputMarker + "1", ".pgsql.sql" + tempOutputMarker + "x1", "pgsql.sql" + tempOutputMarker + "1"} {
		path := filepath.Join(out, name)
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, "ddl", "emit", "-q", "-o", out, "--force")
		if r.code != ExitFailure || !strings.Contains(r.stderr, name) {
			t.Errorf("%s: exit %d, stderr %s", name, r.code, r.stderr)
		}
		os.Remove(path)
	}
}

// TestDDLEmitNotADirectory: -o naming a file is refused and the file is
// kept.
func TestDDLEmitNotADirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "ddl", "emit", "-q", "-o", path, "--force")
	if r.code != ExitFailure || !strings.Contains(r.stderr, "is not a directory") {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
	if data, _ := os.ReadFile(path); string(data) != "keep" {
		t.Errorf("the file became %q", data)
	}
}
