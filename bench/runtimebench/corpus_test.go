package runtimebench

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/manifest/refid"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/runtime/runtimetest"
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
// it references) with the compiled schema it belongs to.
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

// loadCorpus returns the DS 5.0 fixture documents in load order when the
// fixture corpus exists, else dmsc's own example documents under
// testdata/documents/example (the built-in example schema), else skips.
// The result is cached: benchmarks run many times per process.
func loadCorpus(tb testing.TB) *corpus {
	tb.Helper()
	corpusMu.Lock()
	defer corpusMu.Unlock()
	if cachedCorpus != nil {
		return cachedCorpus
	}
	var c *corpus
	if fixturesPresent(tb) {
		c = ds50Corpus(tb)
	} else {
		c = exampleCorpus(tb)
	}
	cachedCorpus = c
	return c
}

// fixturesPresent reports whether testenv.Fixtures would find the corpus
// (it skips the test when not, and here the example set is the fallback).
func fixturesPresent(tb testing.TB) bool {
	dir := os.Getenv(testenv.FixturesEnv)
	if dir == "" {
		dir = filepath.Join(filepath.Dir(testenv.RepoRoot(tb)), "shared", "fixtures")
	}
	fi, err := os.Stat(filepath.Join(dir, "documents", "ds-5.0", "load-order.json"))
	return err == nil && !fi.IsDir()
}

// ds50Corpus reads documents/ds-5.0/load-order.json's "order".
func ds50Corpus(tb testing.TB) *corpus {
	root := filepath.Join(testenv.Fixtures(tb), "documents")
	data, err := os.ReadFile(filepath.Join(root, "ds-5.0", "load-order.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var lo struct {
		Order []string `json:"order"`
	}
	if err := json.Unmarshal(data, &lo); err != nil {
		tb.Fatalf("load-order.json: %v", err)
	}
	m := runtimetest.Compile(tb, testenv.DS50(tb))
	c := &corpus{name: "ds50", model: m, manifest: compiler.Manifest(m)}
	for _, rel := range lo.Order {
		// ds-5.0/<project>/<endpoint>/<file>.json
		parts := strings.Split(rel, "/")
		if len(parts) != 4 {
			tb.Fatalf("load-order.json: unexpected path %q", rel)
		}
		body, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			tb.Fatal(err)
		}
		c.docs = append(c.docs, corpusDoc{path: rel, projectEndpoint: parts[1], endpoint: parts[2], body: body})
	}
	return c
}

// exampleCorpus reads testdata/documents/example/<project>/<endpoint>/*.json
// and orders it by the documents' references (computed with the
// baseline's identity code, no database needed).
func exampleCorpus(tb testing.TB) *corpus {
	root := filepath.Join(testenv.RepoRoot(tb), "testdata", "documents", "example")
	files, _ := filepath.Glob(filepath.Join(root, "*", "*", "*.json"))
	if len(files) == 0 {
		tb.Skipf("no document corpus: neither the DS 5.0 fixtures (set %s) nor %s/<project>/<endpoint>/*.json exist", testenv.FixturesEnv, root)
	}
	sort.Strings(files)
	m := runtimetest.Compile(tb)
	c := &corpus{name: "example", model: m, manifest: compiler.Manifest(m)}
	var docs []corpusDoc
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		docs = append(docs, corpusDoc{path: filepath.ToSlash(rel), projectEndpoint: parts[0], endpoint: parts[1], body: body})
	}
	c.docs = dependencyOrder(tb, c.manifest, docs)
	return c
}

// dependencyOrder orders docs so that every document comes after the
// documents it references, keeping file order otherwise. Documents that
// cannot be identified (deliberately invalid ones), or whose references no
// document provides, are left out.
func dependencyOrder(tb testing.TB, m *manifest.Manifest, docs []corpusDoc) []corpusDoc {
	st, err := compileStore(m)
	if err != nil {
		tb.Fatal(err)
	}
	type pending struct {
		doc corpusDoc
		id  Identity
	}
	var rest []pending
	for _, d := range docs {
		id, err := st.Identify(d.projectEndpoint, d.endpoint, d.body)
		if err != nil {
			tb.Logf("corpus: leaving out %s: %v", d.path, err)
			continue
		}
		rest = append(rest, pending{d, id})
	}
	provided := map[string]bool{}
	var out []corpusDoc
	for progress := true; progress && len(rest) > 0; {
		progress = false
		var next []pending
		for _, p := range rest {
			ready := true
			for _, r := range p.id.References {
				if !provided[r.String()] {
					ready = false
					break
				}
			}
			if !ready {
				next = append(next, p)
				continue
			}
			progress = true
			out = append(out, p.doc)
			for _, r := range p.id.ReferentialIDs {
				provided[r.String()] = true
			}
		}
		rest = next
	}
	for _, p := range rest {
		tb.Logf("corpus: leaving out %s: a reference no document provides", p.doc.path)
	}
	return out
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
