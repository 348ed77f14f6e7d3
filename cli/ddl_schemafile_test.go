package cli

import (
	"os"
	"testing"
)

// TestSchemaDevZero: every command reading schemas refuses -s /dev/zero
// with one read-failed diagnostic and exit 1 (it used to read the endless
// device whole and die out of memory).
func TestSchemaDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	want := "/dev/zero: read-failed: cannot read file: not a regular file (a device)\n"
	for _, args := range [][]string{
		{"hash", "-s", "/dev/zero"},
		{"model", "-s", "/dev/zero"},
		{"ddl", "emit", "-s", "/dev/zero", "-o", t.TempDir()},
		{"ddl", "check", "-s", "/dev/zero", "--against", t.TempDir()},
	} {
		r := runCLI(t, args...)
		if r.code != ExitFailure || r.stderr != want || r.stdout != "" {
			t.Errorf("dmsc %v: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stderr:\n%s", args, r.code, r.stdout, r.stderr, want)
		}
	}
}
