package migratebench

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/migrate"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/provision"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/roundtrip"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// benchEnv is what every run of this process shares: the legacy
// database, the DS 5.0 model and the provisioned target template.
type benchEnv struct {
	scale     Scale
	base      string
	legacyDSN string
	model     *model.Model
	man       *manifest.Manifest
	template  string
	// corpus is the DS 5.0 fixture documents directory (the baseline's
	// `dmsc roundtrip` input).
	corpus string
}

var (
	envMu  sync.Mutex
	theEnv *benchEnv
)

// targetName is the database each run migrates into (dropped after).
const targetName = "dmsc_migratebench_target"

// getEnv returns the process's environment, building or reusing the
// legacy database and the target template (skipping without PostgreSQL,
// the fixtures or the legacy tools).
func getEnv(b *testing.B) *benchEnv {
	b.Helper()
	base := testenv.PostgresDSN(b)
	src := sources(b)
	envMu.Lock()
	defer envMu.Unlock()
	if theEnv != nil {
		return theEnv
	}
	s, err := ScaleFromEnv()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	legacyDSN, built, err := EnsureLegacy(ctx, base, s, src, os.Stderr)
	if err != nil {
		b.Fatal(err)
	}
	if built != nil {
		fmt.Fprintf(os.Stderr, "migratebench: legacy build: %d documents from %d requests (%s), %d MB, %v\n",
			built.Documents, built.Requests, outcomeText(built.Outcomes), built.Bytes>>20, built.Elapsed.Round(time.Second))
	}
	m := relstoretest.Compile(b, testenv.DS50(b))
	e := &benchEnv{scale: s, base: base, legacyDSN: legacyDSN, model: m, man: compiler.Manifest(m),
		corpus: filepath.Join(src.documents(), "ds-5.0")}
	if e.template, err = ensureTemplate(ctx, base, m); err != nil {
		b.Fatal(err)
	}
	theEnv = e
	return e
}

// ensureTemplate returns the name of a database provisioned for DS 5.0
// (with the runtime manifest stored), kept between runs while its comment
// holds the hash of the manifest and DDL.
func ensureTemplate(ctx context.Context, base string, m *model.Model) (string, error) {
	name := targetName + "_tpl"
	man, err := compiler.Manifest(m).Encode()
	if err != nil {
		return "", err
	}
	script, err := ddl.Render(m)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(man)
	h.Write([]byte{0})
	h.Write([]byte(script))
	marker := "migratebench target " + hex.EncodeToString(h.Sum(nil))[:32]
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	var stored *string
	err = admin.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&stored)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return "", err
	case stored != nil && *stored == marker:
		return name, nil
	}
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", err
	}
	dsn, err := WithDatabase(base, name)
	if err != nil {
		return "", err
	}
	if _, err := provision.Provision(ctx, dsn, m, script, provision.Options{Manifest: man}); err != nil {
		return "", fmt.Errorf("provision: %w", err)
	}
	_, err = admin.Exec(ctx, "COMMENT ON DATABASE "+ident+" IS '"+marker+"'")
	return name, err
}

// freshTarget replaces the target database with a copy of the template
// and returns its DSN and a function that drops it.
func (e *benchEnv) freshTarget(b *testing.B) (string, func()) {
	b.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, e.base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	ident := pgx.Identifier{targetName}.Sanitize()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		b.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE "+pgx.Identifier{e.template}.Sanitize()); err != nil {
		b.Fatal(err)
	}
	dsn, err := WithDatabase(e.base, targetName)
	if err != nil {
		b.Fatal(err)
	}
	return dsn, func() { testenv.DropPostgresDatabase(b, e.base, targetName) }
}

// openStore opens the runtime on dsn as the dmsc command does.
func (e *benchEnv) openStore(b *testing.B, dsn string, opts relstore.Options) (*relstore.Store, *pgxpool.Pool) {
	b.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		b.Fatal(err)
	}
	pool, err := relstore.NewPool(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	st, err := relstore.Open(context.Background(), e.man, pool, opts)
	if err != nil {
		pool.Close()
		b.Fatal(err)
	}
	return st, pool
}

// BenchmarkMigrate compares the backfill of the generated legacy database
// (`dmsc migrate legacy` without --preflight-only: migrate.Backfill with
// the command's defaults, 4 workers and batches of 500) with `dmsc
// roundtrip`'s load of the DS 5.0 corpus (roundtrip.Load: a POST and a GET
// per document, one writer, edge verification on), each into a fresh DS
// 5.0 target. ns/op is per document (the backfill: per copied document,
// preflight included; the baseline: per loaded document), so the ratio
// column compares the time per document.
func BenchmarkMigrate(b *testing.B) {
	e := getEnv(b)
	b.Run(e.scale.Name, func(b *testing.B) {
		b.Run("baseline", func(b *testing.B) { benchRoundtripLoad(b, e) })
		b.Run("backfill", func(b *testing.B) { benchBackfill(b, e) })
	})
}

// benchRoundtripLoad times roundtrip.Load of the DS 5.0 corpus into a
// fresh target, reporting loaded documents per second; every loaded
// document must read back equal.
func benchRoundtripLoad(b *testing.B, e *benchEnv) {
	var elapsed time.Duration
	var loaded int
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		dsn, drop := e.freshTarget(b)
		st, pool := e.openStore(b, dsn, relstore.Options{VerifyEdges: true})
		set, err := roundtrip.Discover(e.corpus, e.man)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		res, err := roundtrip.Load(context.Background(), st, set, nil)
		elapsed += time.Since(t0)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		for file, out := range res.Outcomes {
			if len(out.Diff) > 0 {
				b.Errorf("%s read back differently: %v", file, out.Diff)
			}
		}
		loaded += len(res.Written)
		pool.Close()
		drop()
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(loaded), "ns/op")
	b.ReportMetric(float64(loaded)/elapsed.Seconds(), "docs/s")
	b.ReportMetric(float64(loaded)/float64(b.N), "docs")
}

// benchBackfill times migrate.Backfill of the legacy database into a
// fresh target, and reports copied documents per second (whole run and
// copy phase alone), the preflight's seconds, the peak RSS of the process
// during the run (VmHWM after resetting it through /proc/self/clear_refs,
// Linux) and the last progress report, which must be 100% and equal the
// copied documents.
func benchBackfill(b *testing.B, e *benchEnv) {
	var elapsed, copying, preflight time.Duration
	var copied, rejected, documents int64
	var peakKB int64 = -1
	var lastPct int64
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		dsn, drop := e.freshTarget(b)
		st, pool := e.openStore(b, dsn, relstore.Options{})
		legacy, err := migrate.OpenLegacy(context.Background(), e.legacyDSN)
		if err != nil {
			b.Fatal(err)
		}
		pr := &progress{start: time.Now()}
		runtime.GC()
		debug.FreeOSMemory()
		resetPeakRSS := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
		b.StartTimer()
		t0 := time.Now()
		pr.start = t0
		// The copy alone: the verification the backfill runs at its end is
		// dmsc migrate verify's work, timed apart (not yet).
		rep, err := migrate.Backfill(context.Background(), legacy, st, migrate.Options{
			PreflightProgress: pr.preflight, Progress: pr.copy, SkipVerify: true,
		})
		el := time.Since(t0)
		b.StopTimer()
		if resetPeakRSS {
			if kb, ok := peakRSS(); ok {
				peakKB = max(peakKB, kb)
			}
		}
		legacy.Close()
		pool.Close()
		drop()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Failed != 0 || rep.AlreadyCopied != 0 || rep.Copied+rep.Rejected != rep.Documents {
			b.Fatalf("backfill: %d documents, %d copied, %d rejected, %d failed, %d already copied", rep.Documents, rep.Copied, rep.Rejected, rep.Failed, rep.AlreadyCopied)
		}
		if pr.done != pr.total || pr.total != rep.Copied {
			b.Fatalf("the last progress report was %d of %d, want %d of %d", pr.done, pr.total, rep.Copied, rep.Copied)
		}
		lastPct = pr.done * 100 / pr.total
		elapsed += el
		preflight += pr.preflightEnd.Sub(t0)
		copying += el - pr.preflightEnd.Sub(t0)
		copied += rep.Copied
		rejected += rep.Rejected
		documents += rep.Documents
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(copied), "ns/op")
	b.ReportMetric(float64(copied)/elapsed.Seconds(), "docs/s")
	b.ReportMetric(float64(copied)/copying.Seconds(), "copy-docs/s")
	b.ReportMetric(preflight.Seconds()/float64(b.N), "preflight-s")
	b.ReportMetric(float64(documents)/float64(b.N), "legacy-docs")
	b.ReportMetric(float64(copied)/float64(b.N), "docs")
	b.ReportMetric(float64(rejected)/float64(b.N), "rejected")
	if peakKB >= 0 {
		b.ReportMetric(float64(peakKB)/1024, "peak-rss-MB")
	}
	b.ReportMetric(float64(lastPct), "progress-%")
}

// progress records the backfill's progress reports and prints a line to
// stderr at every tenth of the copy.
type progress struct {
	mu           sync.Mutex
	start        time.Time
	preflightEnd time.Time
	done, total  int64
	printed      int64 // tenths printed
	// begun is set after the first line, which starts with a newline: go
	// test may have printed the benchmark's name without one, and
	// benchratio reads a name alone on its line.
	begun bool
}

// say prints one progress line to stderr (p.mu held).
func (p *progress) say(format string, args ...any) {
	if !p.begun {
		p.begun = true
		format = "\n" + format
	}
	fmt.Fprintf(os.Stderr, format, args...)
}

// preflight is Options.PreflightProgress: the preflight ends at its last
// report.
func (p *progress) preflight(done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.preflightEnd = time.Now()
	if done == total {
		p.say("migratebench: preflight %d/%d documents (100%%) in %v\n", done, total, time.Since(p.start).Round(time.Millisecond))
	}
}

// copy is Options.Progress.
func (p *progress) copy(done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.total = done, total
	if total > 0 && done*10/total > p.printed {
		p.printed = done * 10 / total
		p.say("migratebench: backfill %d/%d documents (%d%%) after %v\n", done, total, done*100/total, time.Since(p.start).Round(time.Second))
	}
}

// peakRSS reads VmHWM (kB) from /proc/self/status.
func peakRSS() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}
