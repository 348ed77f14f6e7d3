package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/runtime"
)

// roundtripStore is what the loader needs of a *runtime.Store.
type roundtripStore interface {
	Manifest() *manifest.Manifest
	Upsert(ctx context.Context, projectEndpoint, endpoint string, body []byte) (runtime.WriteResult, error)
	Get(ctx context.Context, projectEndpoint, endpoint, id string) (runtime.Document, error)
}

// roundtripLoader loads a document set through a store and records each
// document's outcome.
type roundtripLoader struct {
	e        *env
	st       roundtripStore
	set      *rtDocumentSet
	progress *rtProgress
	// outcomes by file; a file has exactly one once run returns.
	outcomes map[string]rtOutcome
	// pruned lists, per file, the paths the write pruned.
	pruned map[string][]string
	// idx and descriptors find, per resource, the paths holding
	// descriptor URIs.
	idx         *manifestIndex
	descriptors map[*manifest.Resource]map[string]bool
}

// rtOutcome is what happened to one document.
type rtOutcome struct {
	loaded bool
	// diff is non-empty for a loaded document that read back differently.
	diff []string
	// err is the reason a document was rejected.
	err string
}

// newRoundtripLoader prepares a loader; progress goes to e.stderr only when
// it is a terminal.
func newRoundtripLoader(e *env, st roundtripStore, set *rtDocumentSet) *roundtripLoader {
	return &roundtripLoader{
		e: e, st: st, set: set,
		progress:    newProgress(e.stderr, len(set.docs)),
		outcomes:    map[string]rtOutcome{},
		pruned:      map[string][]string{},
		idx:         newManifestIndex(st.Manifest()),
		descriptors: map[*manifest.Resource]map[string]bool{},
	}
}

// run loads every document in order. Documents whose references or
// descriptors do not resolve are retried after the others, pass after
// pass, while each pass loads at least one document; the rest are then
// rejected with their last error. Only a cancelled context stops it early.
func (l *roundtripLoader) run() error {
	defer l.progress.done()
	pending := l.set.docs
	for len(pending) > 0 {
		var deferred []rtDocument
		lastErr := map[string]string{}
		progress := false
		for _, d := range pending {
			if err := l.e.ctx.Err(); err != nil {
				return err
			}
			out, retry := l.load(d)
			if retry {
				deferred = append(deferred, d)
				lastErr[d.file] = out.err
				continue
			}
			l.outcomes[d.file] = out
			l.progress.step()
			progress = progress || out.loaded
		}
		if !progress {
			for _, d := range deferred {
				l.outcomes[d.file] = rtOutcome{err: lastErr[d.file]}
				l.progress.step()
			}
			break
		}
		pending = deferred
	}
	return l.e.ctx.Err()
}

// load writes one document and compares what reads back. retry is true
// when the write failed only because a reference or descriptor does not
// resolve yet.
func (l *roundtripLoader) load(d rtDocument) (out rtOutcome, retry bool) {
	body, err := os.ReadFile(d.path)
	if err != nil {
		return rtOutcome{err: err.Error()}, false
	}
	input, err := jsonvalue.Decode(body)
	if err != nil {
		return rtOutcome{err: "not valid JSON: " + err.Error()}, false
	}
	ctx := l.e.ctx
	res, err := l.st.Upsert(ctx, d.res.ProjectEndpoint, d.res.EndpointName, body)
	if err != nil {
		var re *runtime.ReferenceError
		var de *runtime.DescriptorError
		return rtOutcome{err: err.Error()}, errors.As(err, &re) || errors.As(err, &de)
	}
	if len(res.Pruned) > 0 {
		l.pruned[d.file] = res.Pruned
	}
	doc, err := l.st.Get(ctx, d.res.ProjectEndpoint, d.res.EndpointName, res.ID)
	if err != nil {
		return rtOutcome{loaded: true, diff: []string{fmt.Sprintf("$: GET %s after the write failed: %v", res.ID, err)}}, false
	}
	paths, ok := l.descriptors[d.res]
	if !ok {
		paths = l.idx.descriptorPaths(d.res)
		l.descriptors[d.res] = paths
	}
	return rtOutcome{loaded: true, diff: compareRoundTrip(input, res.Pruned, res.ID, doc.JSON, paths)}, false
}

// rtProgress shows "roundtrip: N/M documents" on a terminal, at most ten
// times a second.
type rtProgress struct {
	w     io.Writer // nil when not a terminal
	n     int
	total int
	last  time.Time
}

// newProgress returns a progress line on w when w is a terminal, and a
// silent one otherwise.
func newProgress(w io.Writer, total int) *rtProgress {
	p := &rtProgress{total: total}
	if isTerminal(w) {
		p.w = w
	}
	return p
}

// step counts one finished document.
func (p *rtProgress) step() {
	p.n++
	if p.w == nil || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\rroundtrip: %d/%d documents", p.n, p.total)
}

// done clears the progress line.
func (p *rtProgress) done() {
	if p.w != nil && !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
