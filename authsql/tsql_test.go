package authsql_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/authsql"
	"github.com/edfi-dmsc/dmsc/model"
)

// bracketed matches a bracket-quoted T-SQL identifier.
var bracketed = regexp.MustCompile(`\[[^\]]*\]`)

// TestTSQLParses parses the SQL Server predicates of every golden resource
// (example and, with the fixtures, DS 5.0 + Sample), every tree, listed
// and table-valued claims, inside SELECT r.[DocumentId] FROM root r WHERE …,
// with `sqlfluff parse --dialect tsql` (skipped when sqlfluff is absent).
// Statements that differ only in identifiers are parsed once.
func TestTSQLParses(t *testing.T) {
	bin, err := exec.LookPath("sqlfluff")
	if err != nil {
		t.Skip("sqlfluff is not on PATH (Debian: apt-get install -y sqlfluff); skipping the T-SQL parse check")
	}
	type statement struct{ origin, text string }
	var list []statement
	shapes := map[string]bool{}
	collect := func(name string, c *compiled, resources [][2]string) {
		m := c.manifests[model.MSSQL]
		for _, pr := range resources {
			res := resource(t, m, pr[0], pr[1])
			root, err := authsql.RootRelation(m, res)
			if err != nil {
				t.Fatal(err)
			}
			for _, tree := range strategyTrees() {
				for _, sh := range []authsql.Shape{{Claims: 3, Prefixes: 2}, {Claims: authsql.MSSQLMaxListClaims, Prefixes: 1}} {
					r, err := authsql.Build(m, res, tree, sh)
					if err != nil {
						continue
					}
					st := "SELECT r.[DocumentId] FROM " + root + " r WHERE " + r.SQL + ";"
					shape := bracketed.ReplaceAllString(st, "[x]")
					if shapes[shape] {
						continue
					}
					shapes[shape] = true
					list = append(list, statement{fmt.Sprintf("%s %s/%s %s (%d claims)", name, pr[0], pr[1], tree, sh.Claims), st})
				}
			}
		}
	}
	ex := exampleSet(t)
	var exRes [][2]string
	for _, r := range ex.manifests[model.MSSQL].Resources {
		exRes = append(exRes, [2]string{r.ProjectName, r.ResourceName})
	}
	collect("example", ex, exRes)
	t.Run("fixtures", func(t *testing.T) { collect("ds-5.0+sample", ds50Set(t), ds50Resources) })
	dir := t.TempDir()
	for i, st := range list {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%04d.sql", i)), []byte(st.text+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	parse := func(path string) (bool, string) {
		cmd := exec.Command(bin, "parse", "--dialect", "tsql", "--templater", "raw", "--nocolor", path)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return true, ""
		case errors.As(err, &exit) && strings.Contains(out.String(), "parsing violations"):
			return false, out.String()[strings.Index(out.String(), "==== parsing violations"):]
		}
		t.Fatalf("sqlfluff parse %s: %v\n%s", path, err, out.String())
		return false, ""
	}
	// A broken statement fails: the check can fail.
	broken := filepath.Join(t.TempDir(), "broken.sql")
	if err := os.WriteFile(broken, []byte("SELECT r.[DocumentId] FROM [x].[y] r WHERE r.[a] IN (@c0, @c1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, _ := parse(broken); ok {
		t.Fatal("sqlfluff accepted a broken statement: the check cannot fail")
	}
	if ok, _ := parse(dir); !ok {
		for i, st := range list {
			if ok, report := parse(filepath.Join(dir, fmt.Sprintf("s%04d.sql", i))); !ok {
				t.Errorf("sqlfluff cannot parse %s:\n%s\n%s", st.origin, st.text, report)
			}
		}
	}
	t.Logf("sqlfluff parsed %d T-SQL statement shapes", len(list))
}
