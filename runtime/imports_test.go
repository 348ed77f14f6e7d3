package runtime

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRule keeps runtime independent of the compiler: its
// dependencies inside this module may only be the manifest packages.
func TestImportRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	const module = "github.com/edfi-dmsc/dmsc"
	for _, dep := range strings.Fields(string(out)) {
		if !strings.HasPrefix(dep, module+"/") || dep == module+"/runtime" {
			continue
		}
		if !strings.HasPrefix(dep, module+"/manifest") {
			t.Errorf("runtime depends on %s; it may import only manifest packages and database drivers", dep)
		}
		if strings.Contains(dep, "cobra") {
			t.Errorf("runtime depends on cobra")
		}
	}
}
