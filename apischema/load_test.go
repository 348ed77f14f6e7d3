package apischema

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/edfi-dmsc/dmsc/diag"
)

// loadErr loads path and returns its one diagnostic line.
func loadErr(t *testing.T, path string) string {
	t.Helper()
	var d diag.List
	if p := LoadFile(path, &d); p != nil {
		t.Fatalf("LoadFile(%s) returned a project", path)
	}
	errs := d.Errors()
	if len(errs) != 1 {
		t.Fatalf("LoadFile(%s): %d errors, want 1: %v", path, len(errs), errs)
	}
	return errs[0].String()
}

// TestLoadFileDevZero: /dev/zero is an endless character device; reading
// it whole exhausted memory. It is refused without reading.
func TestLoadFileDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	got := loadErr(t, "/dev/zero")
	want := "/dev/zero: read-failed: cannot read file: not a regular file (a device)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestLoadFileNotRegular: a directory is refused with a read-failed
// diagnostic naming it.
func TestLoadFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	got := loadErr(t, dir)
	want := dir + ": read-failed: cannot read file: not a regular file (a directory)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestLoadFileTooLarge: a file above MaxFileSize is refused before it is
// read (a sparse file costs no disk).
func TestLoadFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		f.Close()
		t.Skipf("cannot create a sparse file: %v", err)
	}
	f.Close()
	got := loadErr(t, path)
	want := path + ": read-failed: cannot read file: it holds 268435457 bytes, more than the 256 MiB an ApiSchema file may hold"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestParseBOM: a file saved with a UTF-8 byte order mark parses to the
// same project (it was invalid-json: invalid character 'ï').
func TestParseBOM(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "example", "example-core.json"))
	if err != nil {
		t.Skipf("example schema: %v", err)
	}
	var d diag.List
	plain := Parse("plain.json", data, &d)
	withBOM := Parse("bom.json", append([]byte("\xef\xbb\xbf"), data...), &d)
	if d.HasErrors() || plain == nil || withBOM == nil {
		t.Fatalf("parse: %v", d.Errors())
	}
	if !reflect.DeepEqual(plain.Raw, withBOM.Raw) || plain.EndpointName != withBOM.EndpointName {
		t.Error("a byte order mark changed the project")
	}
}
