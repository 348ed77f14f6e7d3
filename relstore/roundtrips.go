package relstore

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// RoundTripCounter is a pgx tracer that counts client/server round trips:
// one per query or Exec (BEGIN and COMMIT included), one per batch however
// many statements it holds, one per COPY. Install it as
// pgx.ConnConfig.Tracer to measure a Store.
type RoundTripCounter struct {
	n          atomic.Int64
	statements atomic.Int64
}

// Count returns the round trips counted so far.
func (c *RoundTripCounter) Count() int64 { return c.n.Load() }

// Statements returns the SQL statements counted so far (a batch counts
// each of its statements).
func (c *RoundTripCounter) Statements() int64 { return c.statements.Load() }

// Reset sets both counters to zero.
func (c *RoundTripCounter) Reset() { c.n.Store(0); c.statements.Store(0) }

// TraceQueryStart implements pgx.QueryTracer.
func (c *RoundTripCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	if !inBatch(ctx) {
		c.n.Add(1)
		c.statements.Add(1)
	}
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (c *RoundTripCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart implements pgx.BatchTracer.
func (c *RoundTripCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.n.Add(1)
	return context.WithValue(ctx, batchKey{}, true)
}

// TraceBatchQuery implements pgx.BatchTracer.
func (c *RoundTripCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	c.statements.Add(1)
}

// TraceBatchEnd implements pgx.BatchTracer.
func (c *RoundTripCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TraceCopyFromStart implements pgx.CopyFromTracer.
func (c *RoundTripCounter) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	c.n.Add(1)
	c.statements.Add(1)
	return ctx
}

// TraceCopyFromEnd implements pgx.CopyFromTracer.
func (c *RoundTripCounter) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}

type batchKey struct{}

func inBatch(ctx context.Context) bool { v, _ := ctx.Value(batchKey{}).(bool); return v }

// roundTripsKey keys a request's *RoundTripCounter in a context.
type roundTripsKey struct{}

// WithRoundTrips returns ctx carrying a fresh counter of the round trips
// and statements that the store's calls through ctx make, on a pool made
// by NewPool (servers record it per request).
func WithRoundTrips(ctx context.Context) (context.Context, *RoundTripCounter) {
	c := &RoundTripCounter{}
	return context.WithValue(ctx, roundTripsKey{}, c), c
}

// ctxTracer counts into the *RoundTripCounter of the traced context, if
// any (WithRoundTrips); NewPool installs it.
type ctxTracer struct{}

// counter returns the context's counter.
func (ctxTracer) counter(ctx context.Context) *RoundTripCounter {
	c, _ := ctx.Value(roundTripsKey{}).(*RoundTripCounter)
	return c
}

// TraceQueryStart implements pgx.QueryTracer.
func (t ctxTracer) TraceQueryStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if c := t.counter(ctx); c != nil {
		return c.TraceQueryStart(ctx, conn, d)
	}
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (ctxTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart implements pgx.BatchTracer.
func (t ctxTracer) TraceBatchStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	if c := t.counter(ctx); c != nil {
		return c.TraceBatchStart(ctx, conn, d)
	}
	return ctx
}

// TraceBatchQuery implements pgx.BatchTracer.
func (t ctxTracer) TraceBatchQuery(ctx context.Context, conn *pgx.Conn, d pgx.TraceBatchQueryData) {
	if c := t.counter(ctx); c != nil {
		c.TraceBatchQuery(ctx, conn, d)
	}
}

// TraceBatchEnd implements pgx.BatchTracer.
func (ctxTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TraceCopyFromStart implements pgx.CopyFromTracer.
func (t ctxTracer) TraceCopyFromStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceCopyFromStartData) context.Context {
	if c := t.counter(ctx); c != nil {
		return c.TraceCopyFromStart(ctx, conn, d)
	}
	return ctx
}

// TraceCopyFromEnd implements pgx.CopyFromTracer.
func (ctxTracer) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}
