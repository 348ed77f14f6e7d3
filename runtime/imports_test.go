package runtime

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// runtimeMayImport lists the packages of this module the runtime may
// depend on (directly or not): the manifest and the leaves it needs. It
// never reaches the compiler, the model, a dialect renderer or the CLI.
var runtimeMayImport = map[string]bool{
	"manifest":    true,
	"jsonpath":    true,
	"refid":       true,
	"dms":         true,
	"jsonvalue":   true,
	"boundedfile": true,
}

// runtimeMustNotReach lists third-party modules the runtime must not
// depend on.
var runtimeMustNotReach = []string{"github.com/spf13/cobra", "github.com/spf13/viper", "github.com/microsoft/go-mssqldb"}

// TestImportRule checks the runtime's dependencies (go list -deps) against
// the allow-list above.
func TestImportRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const module = "github.com/edfi-dmsc/dmsc/"
	var bad []string
	for _, dep := range strings.Fields(string(out)) {
		for _, m := range runtimeMustNotReach {
			if dep == m || strings.HasPrefix(dep, m+"/") {
				bad = append(bad, dep)
			}
		}
		rel, ok := strings.CutPrefix(dep, module)
		if ok && rel != "runtime" && !runtimeMayImport[rel] {
			bad = append(bad, dep)
		}
	}
	sort.Strings(bad)
	for _, dep := range bad {
		t.Errorf("runtime depends on %s, which it may not reach (see runtimeMayImport)", dep)
	}
}
