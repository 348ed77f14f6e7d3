//go:build unix

package apischema

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestLoadFileFIFO: a named pipe is refused without opening it (opening a
// FIFO for reading blocks until a writer appears).
func TestLoadFileFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe.json")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := loadErr(t, path)
	want := path + ": read-failed: cannot read file: not a regular file (a named pipe)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
