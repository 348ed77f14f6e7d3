package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// transcript records dmsc invocations as a user sees them (command line,
// exit code, stdout, stderr) with the machine-specific parts replaced, so
// that one golden file shows every message of the scenarios below.
type transcript struct {
	t *testing.T
	b strings.Builder
	// subst are replacements applied to everything recorded, longest first.
	subst [][2]string
}

// run invokes dmsc with args, records it and returns the result.
func (tr *transcript) run(args ...string) result {
	tr.t.Helper()
	return tr.runTrimmed(0, args...)
}

// runTrimmed is run recording at most maxLines lines of stdout (0: all).
func (tr *transcript) runTrimmed(maxLines int, args ...string) result {
	tr.t.Helper()
	r := runCLI(tr.t, args...)
	tr.b.WriteString("$ dmsc " + tr.clean(strings.Join(args, " ")) + "\n")
	tr.b.WriteString("exit " + strconv.Itoa(r.code) + "\n")
	if r.stdout != "" {
		out := tr.clean(r.stdout)
		if lines := strings.SplitAfter(out, "\n"); maxLines > 0 && len(lines) > maxLines+1 {
			out = strings.Join(lines[:maxLines], "") + "… (" + strconv.Itoa(len(lines)-1-maxLines) + " more lines)\n"
		}
		tr.b.WriteString("--- stdout\n" + out)
	}
	if r.stderr != "" {
		tr.b.WriteString("--- stderr\n" + tr.clean(r.stderr))
	}
	tr.b.WriteString("\n")
	return r
}

// volatile matches what differs from run to run: instants and durations.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`), "<time>"},
	{regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s|m)\b`), "<duration>"},
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "<uuid>"},
}

// clean applies the substitutions, then hides instants and durations.
func (tr *transcript) clean(s string) string {
	for _, p := range tr.subst {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// pasteHints runs every hint r printed (indented lines "  dmsc …") as a
// user pasting it into a shell would, records each and fails unless each
// exits 0.
func (tr *transcript) pasteHints(r result) {
	tr.t.Helper()
	hints := 0
	for _, line := range strings.Split(r.stderr, "\n") {
		cmd, ok := strings.CutPrefix(line, "  dmsc ")
		if !ok {
			continue
		}
		hints++
		words, err := shellWords(cmd)
		if err != nil {
			tr.t.Fatalf("hint %q does not parse as a shell command: %v", line, err)
		}
		tr.b.WriteString("# pasting the hint\n")
		if got := tr.run(words...); got.code != ExitOK {
			tr.t.Errorf("pasted hint %q exited %d\nstderr:\n%s", line, got.code, got.stderr)
		}
	}
	if hints == 0 {
		tr.t.Errorf("no hint to paste in:\n%s", r.stderr)
	}
}

// shellWords splits a POSIX shell command line as the hints write them:
// words separated by spaces, single quotes, double quotes and $VAR or
// ${VAR} outside single quotes, expanded from the environment.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quote := false, byte(0)
	expand := func(i int) int {
		j := i + 1
		braced := j < len(s) && s[j] == '{'
		if braced {
			j++
		}
		k := j
		for k < len(s) && (s[k] == '_' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= '0' && s[k] <= '9') {
			k++
		}
		cur.WriteString(os.Getenv(s[j:k]))
		if braced && k < len(s) && s[k] == '}' {
			k++
		}
		return k
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
			i++
		case quote == '"':
			switch c {
			case '"':
				quote = 0
				i++
			case '$':
				i = expand(i)
			default:
				cur.WriteByte(c)
				i++
			}
		case c == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			i++
		case c == '\'' || c == '"':
			quote, inWord = c, true
			i++
		case c == '$':
			inWord = true
			i = expand(i)
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(s[i+1])
			inWord = true
			i += 2
		default:
			cur.WriteByte(c)
			inWord = true
			i++
		}
	}
	if quote != 0 {
		return nil, errUnterminatedQuote
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// errUnterminatedQuote is shellWords' error for an open quote.
var errUnterminatedQuote = errors.New("unterminated quote")

// TestShellWords pins the splitter the transcript test pastes hints with.
func TestShellWords(t *testing.T) {
	t.Setenv("DMSC_TEST_WORD", "a b")
	got, err := shellWords(`dmsc -s 'it'\''s' --dsn "$DMSC_TEST_WORD" x\ y ${DMSC_TEST_WORD}`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"dmsc", "-s", "it's", "--dsn", "a b", "x y", "a b"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("shellWords = %q, want %q", got, want)
	}
}

// dbName is the database a DSN names.
func dbName(t *testing.T, dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Database
}

// TestTranscripts replays, as a new user would, each trap issue P8 lists
// and records what dmsc says (testdata/transcripts.golden); every hint it
// prints is pasted and must exit 0.
func TestTranscripts(t *testing.T) {
	base := testenv.PostgresDSN(t)
	tmp := t.TempDir()
	repo := testenv.RepoRoot(t)
	tr := &transcript{t: t}
	core, extra := filepath.Join(repo, "example", "example-core.json"), filepath.Join(repo, "example", "example-extra.json")
	shapes := filepath.Join(repo, "testdata", "cases", "ext-shapes", "inputs")
	shapeFiles, err := filepath.Glob(filepath.Join(shapes, "*.json"))
	if err != nil || len(shapeFiles) == 0 {
		t.Fatalf("ext-shapes inputs: %v %v", shapeFiles, err)
	}
	var shapeArgs []string
	for _, f := range shapeFiles {
		shapeArgs = append(shapeArgs, "-s", f)
	}
	example := []string{"-s", core, "-s", extra}

	fresh := testenv.NewPostgresDatabase(t, "cli", "transcript")
	missing := testenv.WithDatabase(t, base, dbName(t, fresh)+"_missing")
	t.Cleanup(func() { testenv.DropPostgresDatabase(t, base, dbName(t, missing)) })
	broken := testenv.NewPostgresDatabase(t, "cli", "transcript_broken")
	tr.subst = [][2]string{
		{missing, "$MISSING_DSN"}, {broken, "$BROKEN_DSN"}, {fresh, "$FRESH_DSN"},
		{dbName(t, missing), "<missing-db>"}, {dbName(t, broken), "<broken-db>"}, {dbName(t, fresh), "<fresh-db>"},
		{tmp, "<tmp>"}, {repo, "<repo>"},
	}
	sortSubst(tr.subst)

	section := func(title string) { tr.b.WriteString("## " + title + "\n\n") }

	section("ddl check needs -s; another schema set is one line, not a diff")
	dir := filepath.Join(tmp, "ddl")
	mustCode(t, tr.run(append([]string{"ddl", "emit", "-q", "--output", dir}, shapeArgs...)...), ExitOK)
	mustCode(t, tr.run("ddl", "check", "--against", dir), ExitUsage)
	r := tr.run(append([]string{"ddl", "check", "--against", dir}, example...)...)
	mustCode(t, r, ExitFailure)
	if strings.Count(r.stdout+r.stderr, "\n") > 3 {
		t.Errorf("ddl check against another schema set printed more than one message:\n%s%s", r.stdout, r.stderr)
	}
	tr.pasteHints(r)
	mustCode(t, tr.run(append([]string{"ddl", "check", "-d", "both", "--against", dir}, example...)...), ExitOK)

	section("a stale file: the hint regenerates with the same -s, directory and dialect")
	if err := os.WriteFile(filepath.Join(dir, "pgsql.sql"), []byte("-- edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = tr.run(append([]string{"ddl", "check", "-q", "--against", dir, "--format", "json"}, example...)...)
	mustCode(t, r, ExitFailure)
	tr.pasteHints(r)

	section("runtime commands without -s on a database that is not provisioned")
	t.Setenv("DMSC_DSN", fresh)
	r = tr.run("serve", "--dsn", fresh)
	mustCode(t, r, ExitFailure)
	r = tr.run(append([]string{"serve", "--dsn", fresh}, example...)...)
	mustCode(t, r, ExitFailure)
	tr.pasteHints(r)
	mustCode(t, tr.run("inspect", "--health=false", "-c", fresh), ExitOK)

	section("a database that does not exist")
	t.Setenv("DMSC_DSN", missing)
	r = tr.run(append([]string{"ddl", "provision", "--connection-string", missing}, example...)...)
	mustCode(t, r, ExitFailure)
	tr.pasteHints(r)

	section("DSN schemes")
	mustCode(t, tr.run("serve", "--dsn", "sqlserver://sa@localhost?database=edfi"), ExitUsage)
	mustCode(t, tr.run("roundtrip", "--dsn", "mysql://root:secret@localhost/edfi", tmp), ExitUsage)
	mustCode(t, tr.run(append([]string{"ddl", "provision", "-d", "pgsql", "--dsn", "sqlserver://sa@localhost?database=edfi"}, example...)...), ExitUsage)

	section("a failing statement is named")
	conn, err := pgx.Connect(context.Background(), broken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), `CREATE SCHEMA dms; CREATE VIEW dms."IdentityLock" AS SELECT 1::bigint AS "DocumentId"`); err != nil {
		t.Fatal(err)
	}
	conn.Close(context.Background())
	r = tr.run(append([]string{"ddl", "provision", "-q", "--dsn", broken}, example...)...)
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stderr, "step ") || !strings.Contains(r.stderr, "IdentityLock") {
		t.Errorf("the failure does not name the statement and object:\n%s", r.stderr)
	}

	section("an audit's hint repairs with the same schema set and database")
	t.Setenv("DMSC_DSN", fresh)
	docs := filepath.Join(repo, "testdata", "documents", "example")
	if r := runCLI(t, "roundtrip", "-q", "--strict", "--dsn", fresh, docs); r.code != ExitOK {
		t.Fatalf("loading the example documents: exit %d\n%s", r.code, r.stderr)
	}
	conn, err = pgx.Connect(context.Background(), fresh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), `DELETE FROM dms."ReferenceEdge" WHERE "ParentDocumentId" = (SELECT min(e."ParentDocumentId") FROM dms."ReferenceEdge" e JOIN example."School" s ON s."DocumentId" = e."ParentDocumentId")`); err != nil {
		t.Fatal(err)
	}
	conn.Close(context.Background())
	r = tr.run(append([]string{"edges", "audit", "-q", "--dsn", fresh, "--resource", "example/schools"}, example...)...)
	mustCode(t, r, ExitFailure)
	tr.pasteHints(r)
	mustCode(t, tr.run("edges", "audit", "-q", "--dsn", fresh), ExitOK)

	section("plan before apply: a dry run, then what the database holds")
	dry := testenv.NewPostgresDatabase(t, "cli", "transcript_dry")
	t.Setenv("DMSC_DSN", dry)
	r = tr.runTrimmed(16, append([]string{"ddl", "provision", "--dry-run"}, example...)...)
	mustCode(t, r, ExitOK)
	mustCode(t, tr.run("inspect", "--format", "json", "--health=false"), ExitFailure)

	section("one flag vocabulary: upstream's aliases")
	mustCode(t, tr.run(append([]string{"ddl", "emit", "-q", "--output", filepath.Join(tmp, "aliases"), "-d", "pgsql", "--format", "json"}, example...)...), ExitOK)
	mustCode(t, tr.run(append([]string{"model", "-q", "-d", "mssql", "--resource", "extra/buses"}, example...)...), ExitOK)

	section("a config file: paths relative to it, ${VAR}, errors naming file and key, -v")
	cfgDir := filepath.Join(tmp, "cfg")
	if err := os.MkdirAll(filepath.Join(cfgDir, "schemas"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{core, extra} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cfgDir, "schemas", filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(cfgDir, "dmsc.yaml")
	if err := os.WriteFile(cfg, []byte("schema: [schemas/example-core.json, schemas/example-extra.json]\ndsn: ${DMSC_TEST_TRANSCRIPT_DSN}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DMSC_DSN", "")
	t.Setenv("DMSC_TEST_TRANSCRIPT_DSN", fresh)
	mustCode(t, tr.run("inspect", "-v", "--health=false", "--config", cfg), ExitOK)
	if err := os.WriteFile(cfg, []byte("schema: [schemas/example-core.json]\ndialect: oracle\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustCode(t, tr.run("model", "-q", "--config", cfg), ExitUsage)

	golden.Assert(t, "transcripts", []byte(tr.b.String()))
}

// sortSubst orders replacements longest first, so that a DSN is replaced
// before the database name inside it.
func sortSubst(s [][2]string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && len(s[j][0]) > len(s[j-1][0]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
