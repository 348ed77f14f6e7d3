package authbench

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// pageLimit is the page size of the query benchmarks: the API's default.
const pageLimit = relstore.DefaultLimit

// getOp GETs the picked documents of t in turn (each allowed by every
// benchmarked grant).
func (e *benchEnv) getOp(tb testing.TB, bs *benchStore, t target) op {
	p := e.getPicks(tb)
	var ids []string
	switch t {
	case targetSchool:
		ids = []string{p.school.id}
	case targetStudent:
		for _, s := range p.students {
			ids = append(ids, s.id)
		}
	case targetSSA:
		for _, s := range p.ssas {
			ids = append(ids, s.id)
		}
	}
	return op{run: func(ctx context.Context, i int) error {
		doc, err := bs.st.Get(ctx, ProjectEndpoint, t.endpoint, ids[i%len(ids)])
		if err == nil && len(doc.JSON) == 0 {
			err = fmt.Errorf("GET %s: empty body", ids[i%len(ids)])
		}
		return err
	}}
}

// queryOp reads one page of t with q; want is the number of documents
// the page must hold (-1: any).
func queryOp(bs *benchStore, t target, q relstore.QueryOptions, want int) op {
	return op{run: func(ctx context.Context, _ int) error {
		page, err := bs.st.Query(ctx, ProjectEndpoint, t.endpoint, q)
		if err != nil {
			return err
		}
		if want >= 0 && len(page.Documents) != want {
			return fmt.Errorf("query %+v: %d documents, want %d", q, len(page.Documents), want)
		}
		return nil
	}}
}

// deepKey identifies a deep page: a target and a grant ("" for none).
type deepKey struct{ target, grant string }

// deepPos is the deep page of a caller: the page at 90% of the documents
// it sees, rounded down to a page boundary (offset, and the keyset
// cursor that starts there), and how many it sees.
type deepPos struct {
	visible int64
	offset  int
	after   string
}

// deepPage returns the deep page of t under grant g (ctx carries it), or
// false when the caller sees fewer than two pages.
func (e *benchEnv) deepPage(tb testing.TB, bs *benchStore, ctx context.Context, t target, grant string) (deepPos, bool) {
	tb.Helper()
	k := deepKey{t.name, grant}
	e.mu.Lock()
	pos, ok := e.deep[k]
	e.mu.Unlock()
	if !ok {
		page, err := bs.st.Query(ctx, ProjectEndpoint, t.endpoint, relstore.QueryOptions{Limit: 1, TotalCount: true})
		if err != nil {
			tb.Fatalf("count %s under %q: %v", t.name, grant, err)
		}
		pos.visible = page.Total
		pos.offset = int(page.Total*9/10) / pageLimit * pageLimit
		if pos.offset >= pageLimit {
			page, err := bs.st.Query(ctx, ProjectEndpoint, t.endpoint, relstore.QueryOptions{Limit: 1, Offset: pos.offset - 1})
			if err != nil || page.Next == "" {
				tb.Fatalf("cursor of %s under %q at %d: %v", t.name, grant, pos.offset, err)
			}
			pos.after = page.Next
		}
		e.mu.Lock()
		e.deep[k] = pos
		e.mu.Unlock()
	}
	return pos, pos.offset >= pageLimit
}

// postOp POSTs new associations at school 0 (each allowed by every
// benchmarked grant's Create predicate) and deletes them afterwards.
func (e *benchEnv) postOp(bs *benchStore) op {
	var created []string
	return op{
		run: func(ctx context.Context, _ int) error {
			res, err := bs.st.Upsert(ctx, ProjectEndpoint, targetSSA.endpoint, e.newSSABody())
			if err == nil && !res.Created {
				err = fmt.Errorf("POST updated %s instead of creating", res.ID)
			}
			created = append(created, res.ID)
			return err
		},
		after: func(tb testing.TB) { e.deleteAll(tb, targetSSA.endpoint, created) },
	}
}

// putSeq alternates the value each PUT writes, so that every PUT changes
// its document.
var putSeq atomic.Int64

// putOp PUTs the picked documents of t (associations or students of
// school 0) in turn, toggling a non-identity field.
func (e *benchEnv) putOp(tb testing.TB, bs *benchStore, t target) op {
	p := e.getPicks(tb)
	return op{run: func(ctx context.Context, i int) error {
		flip := putSeq.Add(1)%2 == 0
		var id string
		var body []byte
		switch t {
		case targetSSA:
			pk := p.ssas[i%len(p.ssas)]
			id, body = pk.id, SSABody(e.scale, pk.k, 0, EntryDate, flip)
		case targetStudent:
			pk := p.students[i%len(p.students)]
			middle := "Lee"
			if flip {
				middle = "Kim"
			}
			id, body = pk.id, StudentBody(pk.k, middle)
		default:
			return fmt.Errorf("no PUT for %s", t.name)
		}
		_, err := bs.st.Update(ctx, ProjectEndpoint, t.endpoint, id, body, "")
		return err
	}}
}

// deleteOp DELETEs associations at school 0 created (untimed, without a
// grant) before the timed runs.
func (e *benchEnv) deleteOp(bs *benchStore) op {
	var ids []string
	next := 0
	return op{
		before: func(tb testing.TB, n int) {
			setup := e.store(tb, planGeneric).st
			for i := 0; i < n; i++ {
				res, err := setup.Upsert(context.Background(), ProjectEndpoint, targetSSA.endpoint, e.newSSABody())
				if err != nil || !res.Created {
					tb.Fatalf("create an association to delete: %v (created %v)", err, res.Created)
				}
				ids = append(ids, res.ID)
			}
		},
		run: func(ctx context.Context, _ int) error {
			id := ids[next]
			next++
			return bs.st.Delete(ctx, ProjectEndpoint, targetSSA.endpoint, id, "")
		},
		after: func(tb testing.TB) { e.deleteAll(tb, targetSSA.endpoint, ids[next:]) },
	}
}
