package migrate

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the library free of the command line: Go programs
// embed it without cobra or viper.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"github.com/spf13/cobra", "github.com/spf13/viper", "github.com/edfi-dmsc/dmsc/cli", "github.com/edfi-dmsc/dmsc/compiler"} {
			if dep == bad || strings.HasPrefix(dep, bad+"/") {
				t.Errorf("package migrate depends on %s", dep)
			}
		}
	}
}
