package migrate

import (
	"context"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"
)

// sortedRows is a stream of rows in strictly ascending key order: one
// side of mergeSorted.
type sortedRows[T any] struct {
	// rows yields the rows; a non-nil error ends the stream.
	rows iter.Seq2[T, error]
	// key returns a row's key (Go string order).
	key func(*T) string
	// label names the stream in an error about its order
	// ("legacy database: reading change tokens").
	label string
}

// mergeSorted walks a and b together in key order and calls fn once per
// key: with a's row and b's, or with nil for the side without one. The
// rows passed are valid during the call only. Only the current row of
// each side is held, so the merge's memory does not grow with the
// streams. A stream whose keys do not ascend strictly is an error (a
// merge of unordered streams would pair the wrong rows); so is fn's.
func mergeSorted[A, B any](a sortedRows[A], b sortedRows[B], fn func(*A, *B) error) error {
	other := pullRows[A](b)
	defer other.stop()
	if err := other.advance(); err != nil {
		return err
	}
	var last string
	first := true
	for row, err := range a.rows {
		if err != nil {
			return err
		}
		k := a.key(&row)
		if !first && k <= last {
			return orderError(a.label, k, last)
		}
		first, last = false, k
		if err := other.emitBefore(k, fn); err != nil {
			return err
		}
		if other.ok && other.key == k {
			if err := fn(&row, &other.row); err != nil {
				return err
			}
			if err := other.advance(); err != nil {
				return err
			}
			continue
		}
		if err := fn(&row, nil); err != nil {
			return err
		}
	}
	return other.emitRest(fn)
}

// orderError reports a stream whose key k follows last without
// ascending.
func orderError(label, k, last string) error {
	return fmt.Errorf("%s: rows out of order (%q after %q)", label, k, last)
}

// puller is the pulled side of mergeSorted: its current row and key.
type puller[A, B any] struct {
	s    sortedRows[B]
	next func() (B, error, bool)
	stop func()
	row  B
	key  string
	// ok: row is a row (not the end); started: a row was read.
	ok, started bool
}

// pullRows starts pulling s; the caller stops it.
func pullRows[A, B any](s sortedRows[B]) *puller[A, B] {
	next, stop := iter.Pull2(s.rows)
	return &puller[A, B]{s: s, next: next, stop: stop}
}

// advance reads the next row (ok false at the end).
func (p *puller[A, B]) advance() error {
	row, err, ok := p.next()
	if !ok {
		p.ok = false
		return nil
	}
	if err != nil {
		return err
	}
	k := p.s.key(&row)
	if p.started && k <= p.key {
		return orderError(p.s.label, k, p.key)
	}
	p.row, p.key, p.ok, p.started = row, k, true, true
	return nil
}

// emitBefore calls fn(nil, row) for every row whose key is below k.
func (p *puller[A, B]) emitBefore(k string, fn func(*A, *B) error) error {
	for p.ok && p.key < k {
		if err := fn(nil, &p.row); err != nil {
			return err
		}
		if err := p.advance(); err != nil {
			return err
		}
	}
	return nil
}

// emitRest calls fn(nil, row) for every row left.
func (p *puller[A, B]) emitRest(fn func(*A, *B) error) error {
	for p.ok {
		if err := fn(nil, &p.row); err != nil {
			return err
		}
		if err := p.advance(); err != nil {
			return err
		}
	}
	return nil
}

// queryRows returns the rows of sql on db as a stream, each read by
// scan; the query runs when the stream is walked, and its errors are
// wrapped as "<what>: …" ("target: reading the checkpoint").
func queryRows[T any](ctx context.Context, db querier, what string, scan func(pgx.Rows, *T) error, sql string, args ...any) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		rows, err := db.Query(ctx, sql, args...)
		if err != nil {
			yield(zero, fmt.Errorf("%s: %w", what, err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var v T
			if err := scan(rows, &v); err != nil {
				yield(zero, fmt.Errorf("%s: %w", what, err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, fmt.Errorf("%s: %w", what, err))
		}
	}
}
