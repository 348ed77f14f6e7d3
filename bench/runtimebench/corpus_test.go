package runtimebench

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/refid"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/roundtrip"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// corpusDoc is one document of a corpus and the route it is posted to.
type corpusDoc struct {
	path            string // relative to the corpus root, for messages
	projectEndpoint string
	endpoint        string
	body            []byte
}

// corpus is an ordered document set (every document after the documents
// it references, as package roundtrip loads them) with the compiled schema
// it belongs to.
type corpus struct {
	name     string // "ds50" or "example": part of the benchmark names
	model    *model.Model
	manifest *manifest.Manifest
	docs     []corpusDoc
}

var (
	corpusMu     sync.Mutex
	cachedCorpus *corpus
)

// loadCorpus returns the DS 5.0 fixture documents when the fixture corpus
// exists, else dmsc's own example documents under
// testdata/documents/example (the built-in example schema), else skips,
// in the order package roundtrip loads them (dependency order of the
// resources, retries for the rest: one load on a scratch database finds
// it), leaving out what the relational store rejects. The result is
// cached: benchmarks run many times per process.
func loadCorpus(tb testing.TB) *corpus {
	tb.Helper()
	corpusMu.Lock()
	defer corpusMu.Unlock()
	if cachedCorpus != nil {
		return cachedCorpus
	}
	var c *corpus
	var dir string
	if fixturesPresent(tb) {
		m := relstoretest.Compile(tb, testenv.DS50(tb))
		c = &corpus{name: "ds50", model: m, manifest: compiler.Manifest(m)}
		dir = filepath.Join(testenv.Fixtures(tb), "documents", "ds-5.0")
	} else {
		dir = filepath.Join(testenv.RepoRoot(tb), "testdata", "documents", "example")
		if files, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*.json")); len(files) == 0 {
			tb.Skipf("no document corpus: neither the DS 5.0 fixtures (set %s) nor %s/<project>/<endpoint>/*.json exist", testenv.FixturesEnv, dir)
		}
		m := relstoretest.Compile(tb)
		c = &corpus{name: "example", model: m, manifest: compiler.Manifest(m)}
	}
	c.docs = loadOrdered(tb, c, dir)
	cachedCorpus = c
	return c
}

// loadOrdered loads dir once through package roundtrip on a scratch
// database and returns the documents that loaded, in the order they were
// written.
func loadOrdered(tb testing.TB, c *corpus, dir string) []corpusDoc {
	set, err := roundtrip.Discover(dir, c.manifest)
	if err != nil {
		tb.Fatal(err)
	}
	env := relstoretest.NewWithModel(tb, c.name+"-order", c.model, relstore.Options{})
	res, err := roundtrip.Load(context.Background(), env.Store, set, nil)
	if err != nil {
		tb.Fatal(err)
	}
	byFile := map[string]roundtrip.Document{}
	for _, d := range set.Documents {
		byFile[d.File] = d
	}
	var docs []corpusDoc
	for _, file := range res.Written {
		d := byFile[file]
		body, err := os.ReadFile(d.Path)
		if err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, corpusDoc{path: file, projectEndpoint: d.Resource.ProjectEndpoint, endpoint: d.Resource.EndpointName, body: body})
	}
	if n := len(set.Documents) - len(docs); n > 0 {
		tb.Logf("corpus %s: %d documents left out: the relational store rejects them", c.name, n)
	}
	return docs
}

// smokeRun reports whether the benchmarks run once each, as
// `make bench-smoke` runs them (-benchtime=1x), or with -short: then the
// corpus is cut down to keep the run to a few seconds.
func smokeRun() bool {
	f := flag.Lookup("test.benchtime")
	return testing.Short() || f != nil && f.Value.String() == "1x"
}

// smokeSubset keeps the first document of every endpoint and, transitively,
// the first providers of everything those reference, in corpus order.
func smokeSubset(tb testing.TB, c *corpus) *corpus {
	st, err := compileStore(c.manifest)
	if err != nil {
		tb.Fatal(err)
	}
	ids := make([]Identity, len(c.docs))
	provider := map[refid.UUID]int{}
	for i, d := range c.docs {
		if ids[i], err = st.Identify(d.projectEndpoint, d.endpoint, d.body); err != nil {
			continue
		}
		for _, r := range ids[i].ReferentialIDs {
			if _, ok := provider[r]; !ok {
				provider[r] = i
			}
		}
	}
	keep := make([]bool, len(c.docs))
	var add func(i int)
	add = func(i int) {
		if keep[i] {
			return
		}
		keep[i] = true
		for _, r := range ids[i].References {
			if p, ok := provider[r]; ok {
				add(p)
			}
		}
	}
	seen := map[string]bool{}
	for i, d := range c.docs {
		if route := d.projectEndpoint + "/" + d.endpoint; !seen[route] {
			seen[route] = true
			add(i)
		}
	}
	out := *c
	out.name += "-smoke"
	out.docs = nil
	for i, d := range c.docs {
		if keep[i] {
			out.docs = append(out.docs, d)
		}
	}
	return &out
}

// fixturesPresent reports whether testenv.Fixtures would find the DS 5.0
// document corpus (it skips the test when not; here the example set is the
// fallback).
func fixturesPresent(tb testing.TB) bool {
	dir := os.Getenv(testenv.FixturesEnv)
	if dir == "" {
		dir = filepath.Join(filepath.Dir(testenv.RepoRoot(tb)), "shared", "fixtures")
	}
	fi, err := os.Stat(filepath.Join(dir, "documents", "ds-5.0"))
	return err == nil && fi.IsDir()
}
