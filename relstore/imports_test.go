package relstore

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// relstoreMayImport lists the packages of this module the runtime may
// depend on (directly or not): the manifest and the leaves it needs. It
// never reaches the compiler, the model, a dialect renderer or the CLI.
var relstoreMayImport = map[string]bool{
	"manifest":    true,
	"jsonpath":    true,
	"refid":       true,
	"dms":         true,
	"jsonvalue":   true,
	"boundedfile": true,
	// Authorization: claims resolution and the predicates over a manifest
	// (neither reaches the compiler side; diag is their error format).
	"authz":   true,
	"authsql": true,
	"diag":    true,
}

// relstoreMustNotReach lists third-party modules the runtime must not
// depend on.
var relstoreMustNotReach = []string{"github.com/spf13/cobra", "github.com/spf13/viper", "github.com/microsoft/go-mssqldb"}

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
		for _, m := range relstoreMustNotReach {
			if dep == m || strings.HasPrefix(dep, m+"/") {
				bad = append(bad, dep)
			}
		}
		rel, ok := strings.CutPrefix(dep, module)
		if ok && rel != "relstore" && !relstoreMayImport[rel] {
			bad = append(bad, dep)
		}
	}
	sort.Strings(bad)
	for _, dep := range bad {
		t.Errorf("runtime depends on %s, which it may not reach (see relstoreMayImport)", dep)
	}
}
