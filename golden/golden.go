// Package golden compares test output with golden files, a thin layer over
// github.com/sebdah/goldie/v2.
//
// Golden files live in the testdata directory of the package under test
// (tests run in their package's directory). The one way to rewrite them is
// -update, then review the change with git diff:
//
//	go test ./... -update    # make golden runs exactly this
//	go test ./compiler -update
//
// -update is a flag of the test binary, defined by goldie, so it exists only
// in test binaries that link this package; Go passes it to every package's
// test binary, so every package with tests links this one (a blank import
// in update_flag_test.go where its tests use no golden file;
// internal/archtest checks it).
package golden

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/sebdah/goldie/v2"
)

// maxDiffLines bounds the diff shown for one mismatching file.
const maxDiffLines = 200

// Updating reports whether this test run rewrites golden files (-update).
func Updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Assert compares got with testdata/<name>.golden of the package under test
// and reports a unified diff on mismatch; with -update it writes got there
// first. name may contain slashes to use subdirectories.
func Assert(t testing.TB, name string, got []byte) {
	t.Helper()
	assert(t, "testdata", name+".golden", got)
}

// AssertFile compares got with the file dir/filename (no suffix added), for
// tests that keep one golden directory per case, e.g.
// AssertFile(t, "testdata/cases/minimal/expected", "schema.pgsql.sql", ddl).
// With -update it writes got there first.
func AssertFile(t testing.TB, dir, filename string, got []byte) {
	t.Helper()
	assert(t, dir, filename, got)
}

// AssertDir compares a whole golden directory with files (slash-separated
// paths relative to dir, mapped to their contents): each file must match and
// dir must hold no other file. With -update it writes every file and removes
// the others.
func AssertDir(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		assert(t, dir, filepath.FromSlash(name), files[name])
	}
	var extra []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if _, ok := files[filepath.ToSlash(rel)]; !ok {
			extra = append(extra, path)
		}
		return nil
	})
	if err != nil && !(errors.Is(err, fs.ErrNotExist) && len(files) == 0) {
		t.Fatalf("golden directory %s: %v", dir, err)
	}
	for _, path := range extra {
		if Updating() {
			if err := os.Remove(path); err != nil {
				t.Fatalf("remove stale golden file: %v", err)
			}
			continue
		}
		t.Errorf("golden file %s was not produced; rerun with -update to remove it", path)
	}
}

// assert compares got with dir/filename through goldie.
func assert(t testing.TB, dir, filename string, got []byte) {
	t.Helper()
	path := filepath.Join(dir, filename)
	if !Updating() {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("golden file %s does not exist; rerun the test with -update to create it", path)
		}
	}
	g := goldie.New(t,
		goldie.WithFixtureDir(dir),
		goldie.WithNameSuffix(""),
		goldie.WithDiffFn(func(actual, expected string) string {
			return diff(path, expected, actual)
		}),
	)
	g.Assert(t, filename, got)
}

// diff renders a unified diff from the golden file to the output, at most
// maxDiffLines long, with a hint to accept the output.
func diff(path, want, got string) string {
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        difflib.SplitLines(want),
		B:        difflib.SplitLines(got),
		FromFile: path + " (golden)",
		ToFile:   "got",
		Context:  3,
	})
	if err != nil {
		text = fmt.Sprintf("(no diff: %v)\n", err)
	}
	if text == "" {
		text = "(the difference is not visible line by line: line endings or a final newline)\n"
	}
	lines := strings.SplitAfter(text, "\n")
	if len(lines) > maxDiffLines {
		text = strings.Join(lines[:maxDiffLines], "") + fmt.Sprintf("... %d more diff lines\n", len(lines)-maxDiffLines)
	}
	return text + "If the new output is right, rerun the test with -update and review the change with git diff.\n"
}
