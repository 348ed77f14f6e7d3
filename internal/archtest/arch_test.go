package archtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/testenv"
)

const module = "github.com/edfi-dmsc/dmsc"

// deps lists the packages pkg depends on, directly or not (go list -deps).
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", module+"/"+pkg)
	cmd.Dir = testenv.RepoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// reaches reports the dependencies of pkg that are prefix or below it.
func reaches(all []string, prefixes ...string) []string {
	var out []string
	for _, d := range all {
		for _, p := range prefixes {
			if d == p || strings.HasPrefix(d, p+"/") {
				out = append(out, d)
			}
		}
	}
	return out
}

var (
	databaseDrivers = []string{"github.com/jackc/pgx", "github.com/microsoft/go-mssqldb", "database/sql"}
	cliLibraries    = []string{"github.com/spf13/cobra", "github.com/spf13/viper", "github.com/spf13/pflag"}
	compilerSide    = []string{module + "/compiler", module + "/apischema", module + "/model", module + "/naming",
		module + "/dialect", module + "/ddl", module + "/provision", module + "/cli"}
)

// TestImportRules: the compiler side never reaches a database driver; the
// runtime, the server and the round-trip loader never reach the compiler,
// a dialect renderer, the CLI or its libraries.
func TestImportRules(t *testing.T) {
	for _, pkg := range []string{"compiler", "apischema", "model", "naming", "dialect", "dialect/all", "ddl", "fingerprint"} {
		if bad := reaches(deps(t, pkg), databaseDrivers...); len(bad) > 0 {
			t.Errorf("%s reaches database drivers %v; only provision and relstore talk to databases", pkg, bad)
		}
	}
	for _, pkg := range []string{"relstore", "server", "roundtrip"} {
		all := deps(t, pkg)
		if bad := reaches(all, compilerSide...); len(bad) > 0 {
			t.Errorf("%s reaches %v; it must work from a manifest alone", pkg, bad)
		}
		if bad := reaches(all, cliLibraries...); len(bad) > 0 {
			t.Errorf("%s reaches %v, the CLI's libraries", pkg, bad)
		}
	}
}

// sqlText matches SQL a Go string would hold.
var sqlText = regexp.MustCompile(`(?i)"[^"\n]*\b(SELECT\s+\S+|INSERT\s+INTO|UPDATE\s+"?\w+"?\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|SCHEMA|VIEW|DATABASE)|ALTER\s+TABLE|DROP\s+(TABLE|DATABASE))\b|` + "`" + `[^` + "`" + `]*\b(SELECT|INSERT\s+INTO|CREATE\s+TABLE|DELETE\s+FROM)\b`)

// TestCLIHoldsNoSQL: the CLI holds flags, configuration and printing; SQL
// lives in ddl, provision and relstore.
func TestCLIHoldsNoSQL(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "cli", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if sqlText.MatchString(line) {
				t.Errorf("%s:%d holds SQL: %s", filepath.Base(f), i+1, strings.TrimSpace(line))
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d cli files checked", checked)
	}
}
