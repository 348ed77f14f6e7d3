package migrate

import (
	"runtime"
	"testing"
)

// TestPreflightMemoryPerDocument measures what a preflight keeps per legacy
// document once it has read them all (the backfill holds it for the whole
// run): the heap it retains, its validator aside, divided by the
// documents. Holding each document's references whole (paths, targets,
// identity values) kept 703 B per DS 5.0 document; docRef keeps a
// reference's ReferentialId and interned path, and the whole reference
// only while no document read so far holds its ReferentialId: 561 B.
func TestPreflightMemoryPerDocument(t *testing.T) {
	dsn := newLegacyDS50(t)
	m := ds50(t)
	l := openLegacy(t, dsn)
	pass, err := l.BeginPass(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pass.Close(t.Context()) }()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	pf, err := runPreflight(t.Context(), pass, l.Where(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pf.v, pf.pass = nil, nil // shared with the run, not per document
	runtime.GC()
	runtime.ReadMemStats(&ms)
	perDoc := (int64(ms.HeapAlloc) - int64(before)) / int64(len(pf.docs))
	refs, details := 0, 0
	for _, ds := range pf.docs {
		for _, r := range ds.refs {
			refs++
			if r.detail != nil {
				details++
			}
		}
	}
	t.Logf("%d documents: %d B retained per document; %d references, %d kept whole", len(pf.docs), perDoc, refs, details)
	// DS 5.0 documents reference targets of earlier-loading resources,
	// except within a resource (none in the corpus resolves that way).
	if details*20 > refs {
		t.Errorf("%d of %d references kept whole, want under 5%%", details, refs)
	}
	const limit = 640 // 703 B with references kept whole, 561 B with docRef
	if perDoc > limit {
		t.Errorf("the preflight keeps %d B per document, want at most %d", perDoc, limit)
	}
	runtime.KeepAlive(pf)
}
