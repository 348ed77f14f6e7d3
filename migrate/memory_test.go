package migrate

import (
	"runtime"
	"testing"
)

// TestPreflightMemoryPerDocument measures what a preflight keeps in memory
// once it has read every document (the backfill holds it for the whole
// run), its report aside: the per-document state lives in the scratch
// tables, so nothing grows with the documents. Before the scratch tables
// it kept 561 B per DS 5.0 document (703 B before compact references),
// 458 KB for the corpus. A first run warms what any run shares (the
// manifest's lazily built indexes).
func TestPreflightMemoryPerDocument(t *testing.T) {
	dsn := newLegacyDS50(t)
	m := ds50(t)
	l := openLegacy(t, dsn)
	run := func() (*preflight, func()) {
		pass, err := l.BeginPass(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		work, err := openScratch(t.Context(), workConfig(t))
		if err != nil {
			t.Fatal(err)
		}
		pf, err := runPreflight(t.Context(), pass, l.Where(), m, work, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return pf, func() { _ = pass.Close(t.Context()); _ = work.close(t.Context()) }
	}
	_, done := run()
	done()
	// Four runs kept at once: the heap moves by ±85 KB between two
	// measurements, whatever the code.
	const runs = 4
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	kept := make([]*preflight, runs)
	var docs int64
	for i := range kept {
		pf, done := run()
		docs = pf.rep.Documents
		// The sessions' buffers and statement caches go with their
		// connections; the validator, the report and the resources are not
		// per document.
		done()
		pf.v, pf.pass, pf.work, pf.rep, pf.findings, pf.res = nil, nil, nil, nil, nil, nil
		kept[i] = pf
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	retained := (int64(ms.HeapAlloc) - int64(before)) / runs
	t.Logf("%d documents: %d B retained per run", docs, retained)
	const limit = 96 << 10 // the corpus's per-document state was 458 KB
	if retained > limit {
		t.Errorf("the preflight keeps %d B beside its report for %d documents, want at most %d", retained, docs, limit)
	}
	runtime.KeepAlive(kept)
}
