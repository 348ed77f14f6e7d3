package archtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
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

// TestEveryTestBinaryAcceptsUpdate: `go test ./... -update` is the one way
// to rewrite golden files, and Go passes -update to every test binary, which
// exits with "flag provided but not defined" unless it links the golden
// package (which registers the flag). So every package with tests links it.
func TestEveryTestBinaryAcceptsUpdate(t *testing.T) {
	root := testenv.RepoRoot(t)
	list := func(format string, test bool) map[string]bool {
		args := []string{"list"}
		if test {
			args = append(args, "-test")
		}
		cmd := exec.Command("go", append(args, "-f", format, "./...")...)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		set := map[string]bool{}
		for _, p := range strings.Fields(string(out)) {
			set[p] = true
		}
		return set
	}
	tested := list(`{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}`, false)
	linked := list(`{{if .ForTest}}{{range .Deps}}{{if eq . "`+module+`/golden"}}{{$.ForTest}}{{"\n"}}{{end}}{{end}}{{end}}`, true)
	if len(tested) < 20 {
		t.Fatalf("only %d tested packages listed", len(tested))
	}
	var missing []string
	for p := range tested {
		if !linked[p] && p != module+"/golden" {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	for _, p := range missing {
		t.Errorf("%s: its tests do not accept -update; import _ %q in a _test.go file", p, module+"/golden")
	}
}
