package boundedfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/edfi-dmsc/dmsc/golden"
)

// TestReadGrowing: a file that grows past the limit while it is
// read (its size at open time is below it) is still refused.
func TestReadGrowing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	if err := os.WriteFile(path, []byte(strings.Repeat(" ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path, 100, "a test file"); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	if _, err := Read(path, 99, "a test file"); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("above the limit: %v", err)
	}
}

// TestReadRefusesIrregular: a directory and a device are refused by kind.
func TestReadRefusesIrregular(t *testing.T) {
	if _, err := Read(t.TempDir(), 100, "a test file"); err == nil || err.Error() != "not a regular file (a directory)" {
		t.Errorf("directory: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := Read("/dev/zero", 100, "a test file"); err == nil || err.Error() != "not a regular file (a device)" {
			t.Errorf("/dev/zero: %v", err)
		}
	}
}
