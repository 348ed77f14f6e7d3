package authsql_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestImports: authsql is runtime code: it imports only the standard
// library, manifest and authz, and reaches no database driver, compiler
// package or dialect renderer.
func TestImports(t *testing.T) {
	const module = "github.com/edfi-dmsc/dmsc"
	list := func(format string) []string {
		cmd := exec.Command("go", "list", "-f", format, module+"/authsql")
		cmd.Dir = testenv.RepoRoot(t)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		return strings.Fields(strings.NewReplacer("[", " ", "]", " ").Replace(string(out)))
	}
	for _, p := range list("{{.Imports}}") {
		if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") && p != module+"/manifest" && p != module+"/authz" {
			t.Errorf("authsql imports %s; only the standard library, manifest and authz are allowed", p)
		}
	}
	banned := []string{"github.com/jackc/pgx", "github.com/microsoft/go-mssqldb", "database/sql",
		module + "/compiler", module + "/apischema", module + "/model", module + "/dialect", module + "/ddl", module + "/provision", module + "/relstore"}
	for _, d := range list("{{.Deps}}") {
		for _, b := range banned {
			if d == b || strings.HasPrefix(d, b+"/") {
				t.Errorf("authsql reaches %s", d)
			}
		}
	}
}
