package migratebench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// GeneratorVersion names this generator's output; change it when the
// legacy database it builds changes in a way the marker does not see
// (the corpus fingerprint and the legacy tools' files are in the marker).
const GeneratorVersion = "migratebench-1"

// Streams is the number of psql sessions that load copies 1… at once
// (copy 0, which holds the shared descriptors, loads first, alone).
const Streams = 2

// Sources are the inputs of a legacy database: the shared fixture corpus
// (DS 5.0 ApiSchema, sample-ds50's EdOrg hierarchy, the documents and
// load order, the upstream legacy DDL) and the shared legacy-pg tools
// (dmsload.sql, gen_load.py).
type Sources struct {
	Fixtures string
	Tools    string
}

func (s Sources) apiSchema() string {
	return filepath.Join(s.Fixtures, "apischema", "ds-5.0", "ApiSchema.json")
}
func (s Sources) edorgSchema() string {
	return filepath.Join(s.Fixtures, "apischema", "sample-ds50", "ApiSchema.json")
}
func (s Sources) documents() string { return filepath.Join(s.Fixtures, "documents") }
func (s Sources) order() string {
	return filepath.Join(s.Fixtures, "documents", "ds-5.0", "load-order.json")
}
func (s Sources) ddl() ([]string, error) {
	files, err := filepath.Glob(filepath.Join(s.Fixtures, "legacy-pg", "ddl", "0*.sql"))
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("no legacy DDL scripts in %s", filepath.Join(s.Fixtures, "legacy-pg", "ddl"))
	}
	sort.Strings(files)
	return files, err
}

// LoadCorpus loads the DS 5.0 corpus of the sources.
func (s Sources) LoadCorpus() (*Corpus, error) {
	return LoadCorpus(s.apiSchema(), s.documents(), s.order())
}

// BuildStats describes a built legacy database.
type BuildStats struct {
	// Documents counts dms.Document rows, Requests the requests replayed.
	Documents int64
	Requests  int
	// Outcomes counts the requests per outcome (insert, update,
	// identity-conflict, invalid-reference).
	Outcomes map[string]int
	// Bytes is pg_database_size after VACUUM ANALYZE.
	Bytes int64
	// Elapsed is the whole build (generation, DDL, load, VACUUM ANALYZE).
	Elapsed time.Duration
}

// DatabaseName is the legacy database of scale s, kept between runs.
func DatabaseName(s Scale) string { return "dmsc_migratebench_legacy_" + s.Name }

// Marker identifies what a legacy database holds: the generator version,
// the scale, the corpus fingerprint (copies 0 and 1 as generated) and a
// hash of the legacy tools and DDL that load it.
func Marker(s Scale, c *Corpus, src Sources) (string, error) {
	fp, err := c.Fingerprint(s.Copies)
	if err != nil {
		return "", err
	}
	ddl, err := src.ddl()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if err := hashFiles(h, append([]string{filepath.Join(src.Tools, "dmsload.sql"), filepath.Join(src.Tools, "gen_load.py"), src.edorgSchema()}, ddl...)...); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s scale:%s-%d corpus:%s tools:%s", GeneratorVersion, s.Name, s.Copies, fp[:24], hex.EncodeToString(h.Sum(nil))[:24]), nil
}

// WithDatabase returns base (URL or key=value form) pointing at name.
func WithDatabase(base, name string) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return base + " dbname=" + name, nil
}

// EnsureLegacy returns the DSN of scale s's legacy database on base's
// server, building it unless its comment holds the current marker (then
// stats is nil). Progress goes to log.
func EnsureLegacy(ctx context.Context, base string, s Scale, src Sources, log io.Writer) (dsn string, stats *BuildStats, err error) {
	c, err := src.LoadCorpus()
	if err != nil {
		return "", nil, err
	}
	marker, err := Marker(s, c, src)
	if err != nil {
		return "", nil, err
	}
	name := DatabaseName(s)
	if dsn, err = WithDatabase(base, name); err != nil {
		return "", nil, err
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("connect: %w", err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, name); err != nil {
		return "", nil, err
	}
	defer admin.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext($1))`, name) //nolint:errcheck // the session ends anyway
	var stored *string
	err = admin.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&stored)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return "", nil, err
	case stored != nil && *stored == marker:
		return dsn, nil, nil
	}
	fmt.Fprintf(log, "migratebench: building legacy database %s: %s (marker %q)\n", name, s, marker)
	stats, err = build(ctx, admin, dsn, name, s, c, src, log)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec(ctx, "COMMENT ON DATABASE "+pgx.Identifier{name}.Sanitize()+" IS '"+strings.ReplaceAll(marker, "'", "''")+"'"); err != nil {
		return "", nil, err
	}
	return dsn, stats, nil
}

// build replaces database name with the legacy store of s: the upstream
// DDL, dmsload.sql, then every request of every copy through
// gen_load.py's dmsload.upsert calls (one transaction each, as the legacy
// backend wrote them), copy 0 first, the others in Streams sessions. It
// checks that every request of copy k ≥ 1 had the outcome of the same
// request in copy 0 (the rewrite kept references resolving and identities
// distinct), then runs VACUUM ANALYZE.
func build(ctx context.Context, admin *pgx.Conn, dsn, name string, s Scale, c *Corpus, src Sources, log io.Writer) (*BuildStats, error) {
	start := time.Now()
	tmp, err := os.MkdirTemp("", "migratebench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	docs := filepath.Join(tmp, "docs")
	nStreams := 1 + min(Streams, s.Copies-1)
	streams := make([][]string, nStreams)
	requests := 0
	for k := 0; k < s.Copies; k++ {
		rels, err := c.WriteCopy(docs, k)
		if err != nil {
			return nil, err
		}
		i := 0
		if k > 0 {
			i = 1 + (k-1)%(nStreams-1)
		}
		streams[i] = append(streams[i], rels...)
		requests += len(rels)
	}
	fmt.Fprintf(log, "migratebench: wrote %d request bodies (%d copies) in %v\n", requests, s.Copies, time.Since(start).Round(time.Millisecond))

	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return nil, err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return nil, err
	}
	ddl, err := src.ddl()
	if err != nil {
		return nil, err
	}
	for _, f := range append(ddl, filepath.Join(src.Tools, "dmsload.sql")) {
		if err := psql(ctx, dsn, f, nil); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(log, "migratebench: applied %d legacy DDL scripts and dmsload.sql\n", len(ddl))

	// gen_load.py per stream, in parallel: a seed and trace prefix each,
	// so DocumentUuids and trace ids never repeat across streams.
	t0 := time.Now()
	scripts := make([]string, nStreams)
	if err := parallel(nStreams, func(i int) error {
		order := filepath.Join(tmp, fmt.Sprintf("order-%d.json", i))
		data, err := json.Marshal(map[string][]string{"order": streams[i]})
		if err != nil {
			return err
		}
		if err := os.WriteFile(order, data, 0o644); err != nil {
			return err
		}
		scripts[i] = filepath.Join(tmp, fmt.Sprintf("load-%d.sql", i))
		out, err := os.Create(scripts[i])
		if err != nil {
			return err
		}
		defer out.Close()
		cmd := exec.CommandContext(ctx, "python3", filepath.Join(src.Tools, "gen_load.py"),
			"--apischema", src.apiSchema(), "--edorg-schema", src.edorgSchema(), "--docs", docs, "--order", order,
			"--seed", fmt.Sprint(20260106+i), "--trace-prefix", fmt.Sprintf("dmsload-s%d", i))
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = out, &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("gen_load.py (stream %d): %v\n%s", i, err, stderr.String())
		}
		return out.Close()
	}); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "migratebench: gen_load.py wrote %d load scripts in %v\n", nStreams, time.Since(t0).Round(time.Millisecond))

	// Load: copy 0 alone, then the other streams at once.
	t0 = time.Now()
	outputs := make([]bytes.Buffer, nStreams)
	stop := watch(ctx, dsn, requests, t0, log)
	err = psql(ctx, dsn, scripts[0], &outputs[0])
	if err == nil && nStreams > 1 {
		err = parallel(nStreams-1, func(i int) error { return psql(ctx, dsn, scripts[i+1], &outputs[i+1]) })
	}
	stop()
	if err != nil {
		return nil, err
	}
	stats := &BuildStats{Requests: requests, Outcomes: map[string]int{}}
	outcome := map[string]string{}
	for i := range outputs {
		sc := bufio.NewScanner(&outputs[i])
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) < 2 {
				continue
			}
			outcome[f[0]] = f[1]
			stats.Outcomes[f[1]]++
		}
	}
	if len(outcome) != requests {
		return nil, fmt.Errorf("psql reported %d request outcomes, want %d", len(outcome), requests)
	}
	var differ []string
	for _, rel := range streams[0] {
		file := strings.TrimPrefix(rel, CopyDir(0)+"/")
		for k := 1; k < s.Copies; k++ {
			other := CopyDir(k) + "/" + file
			if got, ok := outcome[other]; ok && got != outcome[rel] {
				differ = append(differ, fmt.Sprintf("%s: %s (copy 0: %s)", other, got, outcome[rel]))
			}
		}
	}
	if len(differ) > 0 {
		return nil, fmt.Errorf("%d requests of the copies had another outcome than in copy 0, first: %s", len(differ), strings.Join(differ[:min(5, len(differ))], "; "))
	}
	fmt.Fprintf(log, "migratebench: loaded %d requests in %v (%s)\n", requests, time.Since(t0).Round(time.Millisecond), outcomeText(stats.Outcomes))

	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return nil, fmt.Errorf("vacuum analyze: %w", err)
	}
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM dms.Document), pg_database_size(current_database())`).Scan(&stats.Documents, &stats.Bytes); err != nil {
		return nil, err
	}
	stats.Elapsed = time.Since(start)
	fmt.Fprintf(log, "migratebench: legacy database %s: %d documents, %d MB, built in %v\n", name, stats.Documents, stats.Bytes>>20, stats.Elapsed.Round(time.Second))
	return stats, nil
}

// outcomeText lists outcome counts sorted by name.
func outcomeText(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}

// psql runs a script file on dsn with ON_ERROR_STOP, asynchronous commit
// (durability only: the rows written are the same) and the output to out
// when not nil; NOTICE lines are dropped.
func psql(ctx context.Context, dsn, file string, out io.Writer) error {
	cmd := exec.CommandContext(ctx, "psql", dsn, "-qX", "-v", "ON_ERROR_STOP=1", "-f", file)
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c synchronous_commit=off -c client_min_messages=warning")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("psql -f %s: %v\n%s", filepath.Base(file), err, stderr.String())
	}
	return nil
}

// parallel runs f(0…n-1) at once and returns the first error.
func parallel(n int, f func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// watch prints the number of legacy documents every 30 seconds until the
// returned stop is called.
func watch(ctx context.Context, dsn string, requests int, start time.Time, log io.Writer) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				conn, err := pgx.Connect(ctx, dsn)
				if err != nil {
					continue
				}
				var n int64
				if conn.QueryRow(ctx, `SELECT count(*) FROM dms.Document`).Scan(&n) == nil {
					fmt.Fprintf(log, "migratebench: %d legacy documents after %v (%d requests in all)\n", n, time.Since(start).Round(time.Second), requests)
				}
				conn.Close(ctx)
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}
