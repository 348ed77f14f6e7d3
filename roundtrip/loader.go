package roundtrip

import (
	"context"
	"errors"
	"fmt"

	"github.com/edfi-dmsc/dmsc/boundedfile"
	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// Store is what loading needs of a *relstore.Store.
type Store interface {
	Manifest() *manifest.Manifest
	Upsert(ctx context.Context, projectEndpoint, endpoint string, body []byte) (relstore.WriteResult, error)
	Get(ctx context.Context, projectEndpoint, endpoint, id string) (relstore.Document, error)
}

// MaxDocumentSize is the largest document file Load reads.
const MaxDocumentSize = 64 << 20

// Outcome is what happened to one document.
type Outcome struct {
	// Loaded is true when the write succeeded.
	Loaded bool
	// ID is the DocumentUuid the write returned.
	ID string
	// Diff is non-empty for a loaded document that read back differently.
	Diff []string
	// Pruned are the paths the write pruned.
	Pruned []string
	// Err is the reason a document was rejected.
	Err string
}

// Result is what Load did: an outcome per document file, and the files in
// the order they were written (retried documents after the others).
type Result struct {
	Set      *Set
	Outcomes map[string]Outcome
	// Written lists the files that loaded, in the order they were written.
	Written []string
}

// Load writes every document of set through st and reads each back. A
// document whose references or descriptors do not resolve is retried after
// the others, pass after pass, while each pass loads at least one
// document; the rest are then rejected with their last error. progress,
// when not nil, is called after each document settles. Only a cancelled
// context stops it early (with the outcomes so far).
func Load(ctx context.Context, st Store, set *Set, progress func(done, total int)) (*Result, error) {
	l := &loader{st: st, idx: NewDescriptors(st.Manifest()), descriptors: map[*manifest.Resource]map[string]bool{}}
	res := &Result{Set: set, Outcomes: map[string]Outcome{}}
	done := 0
	settle := func(file string, out Outcome) {
		res.Outcomes[file] = out
		if out.Loaded {
			res.Written = append(res.Written, file)
		}
		done++
		if progress != nil {
			progress(done, len(set.Documents))
		}
	}
	pending := set.Documents
	for len(pending) > 0 {
		var deferred []Document
		lastErr := map[string]string{}
		loaded := false
		for _, d := range pending {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			out, retry := l.load(ctx, d)
			if retry {
				deferred = append(deferred, d)
				lastErr[d.File] = out.Err
				continue
			}
			settle(d.File, out)
			loaded = loaded || out.Loaded
		}
		if !loaded {
			for _, d := range deferred {
				settle(d.File, Outcome{Err: lastErr[d.File]})
			}
			break
		}
		pending = deferred
	}
	return res, ctx.Err()
}

// loader holds what loading reuses across documents.
type loader struct {
	st Store
	// idx and descriptors find, per resource, the paths holding
	// descriptor URIs.
	idx         *Descriptors
	descriptors map[*manifest.Resource]map[string]bool
}

// load writes one document and compares what reads back. retry is true
// when the write failed only because a reference or descriptor does not
// resolve yet.
func (l *loader) load(ctx context.Context, d Document) (out Outcome, retry bool) {
	body, err := boundedfile.Read(d.Path, MaxDocumentSize, "a document")
	if err != nil {
		return Outcome{Err: err.Error()}, false
	}
	input, err := jsonvalue.Decode(body)
	if err != nil {
		return Outcome{Err: "not valid JSON: " + err.Error()}, false
	}
	res, err := l.st.Upsert(ctx, d.Resource.ProjectEndpoint, d.Resource.EndpointName, body)
	if err != nil {
		var re *relstore.ReferenceError
		var de *relstore.DescriptorError
		return Outcome{Err: err.Error()}, errors.As(err, &re) || errors.As(err, &de)
	}
	out = Outcome{Loaded: true, ID: res.ID, Pruned: res.Pruned}
	doc, err := l.st.Get(ctx, d.Resource.ProjectEndpoint, d.Resource.EndpointName, res.ID)
	if err != nil {
		out.Diff = []string{fmt.Sprintf("$: GET %s after the write failed: %v", res.ID, err)}
		return out, false
	}
	paths, ok := l.descriptors[d.Resource]
	if !ok {
		paths = l.idx.Paths(d.Resource)
		l.descriptors[d.Resource] = paths
	}
	out.Diff = Compare(input, res.Pruned, res.ID, doc.JSON, paths)
	return out, false
}
