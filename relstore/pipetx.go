package relstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pipeTx is a transaction whose BEGIN travels in the same pipeline as its
// first batch and, when the writer asks (commitWithNextBatch), whose
// COMMIT travels with its last: a write that decides nothing after its
// rows are sent is two round trips instead of four. PostgreSQL runs a
// pipeline's statements in order; BEGIN turns the pipeline's implicit
// transaction into the explicit one the later round trips continue, and
// an error skips the rest of the pipeline, COMMIT included, leaving the
// transaction failed until Rollback. So a batch may carry COMMIT only
// when nothing the client reads from it can still refuse the write.
// (pgx's Batch.BeginTx saves the BEGIN round trip alone: its transaction
// cannot learn that a batch committed it, and would send COMMIT again.)
type pipeTx struct {
	conn *pgx.Conn
	// begun: BEGIN was sent; commitNext: the next batch ends with COMMIT;
	// commitQueued: a batch did; closed: Commit or Rollback returned.
	begun, commitNext, commitQueued, closed bool
}

// newPipeTx starts a pipelined transaction on conn; nothing is sent
// until its first statement.
func newPipeTx(conn *pgx.Conn) *pipeTx { return &pipeTx{conn: conn} }

// Transaction-control statements a pipeTx sends.
const (
	beginSQL    = "BEGIN"
	commitSQL   = "COMMIT"
	rollbackSQL = "ROLLBACK"
)

var errNestedPipeTx = errors.New("relstore: a pipelined transaction has no nested transactions")

// commitWithNextBatch makes the next SendBatch end with COMMIT: the
// caller reads that batch's results (Close returns COMMIT's error) and
// then calls Commit, which sends nothing more.
func (t *pipeTx) commitWithNextBatch() { t.commitNext = true }

// begin sends BEGIN on its own unless a batch carried it already.
func (t *pipeTx) begin(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	if t.begun {
		return nil
	}
	if _, err := t.conn.Exec(ctx, beginSQL); err != nil {
		return err
	}
	t.begun = true
	return nil
}

// SendBatch sends b, after BEGIN when the transaction has not begun and
// followed by COMMIT when commitWithNextBatch asked for it; the results
// start with b's first statement.
func (t *pipeTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if t.closed {
		return pgx.FailedBatchResults(b, pgx.ErrTxClosed)
	}
	nb := &pgx.Batch{}
	lead := !t.begun
	if lead {
		nb.Queue(beginSQL)
	}
	nb.QueuedQueries = append(nb.QueuedQueries, b.QueuedQueries...)
	if t.commitNext {
		nb.Queue(commitSQL)
		t.commitNext, t.commitQueued = false, true
	}
	t.begun = true
	br := t.conn.SendBatch(ctx, nb)
	if lead {
		// BEGIN's result; an error stays in br for every later call.
		_, _ = br.Exec()
	}
	return br
}

// Commit commits, or returns what a batch's COMMIT left: nothing to send
// when it committed.
func (t *pipeTx) Commit(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	t.closed = true
	if !t.begun || t.commitQueued && t.conn.PgConn().TxStatus() == 'I' {
		return nil
	}
	tag, err := t.conn.Exec(ctx, commitSQL)
	if err != nil {
		return err
	}
	if tag.String() == rollbackSQL {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// Rollback rolls back whatever is open (nothing after a batch's COMMIT);
// when ROLLBACK itself fails the connection is closed, as pgx does, so
// that the pool never reuses a session inside a transaction.
func (t *pipeTx) Rollback(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	t.closed = true
	if !t.begun || t.conn.PgConn().TxStatus() == 'I' {
		return nil
	}
	if _, err := t.conn.Exec(ctx, rollbackSQL); err != nil {
		_ = t.conn.Close(ctx)
		return err
	}
	return nil
}

// Exec runs sql in the transaction.
func (t *pipeTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.begin(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.conn.Exec(ctx, sql, args...)
}

// Query runs sql in the transaction.
func (t *pipeTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.Query(ctx, sql, args...)
}

// QueryRow runs sql in the transaction.
func (t *pipeTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.begin(ctx); err != nil {
		return errRow{err}
	}
	return t.conn.QueryRow(ctx, sql, args...)
}

// Prepare prepares sql on the transaction's connection.
func (t *pipeTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.Prepare(ctx, name, sql)
}

// CopyFrom copies rows in the transaction.
func (t *pipeTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if err := t.begin(ctx); err != nil {
		return 0, err
	}
	return t.conn.CopyFrom(ctx, table, columns, src)
}

// LargeObjects returns an unusable value: the store uses no large
// objects, and pgx builds a working one only for its own transactions.
func (t *pipeTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

// Begin is refused: the store's writes use no savepoints.
func (t *pipeTx) Begin(context.Context) (pgx.Tx, error) { return nil, errNestedPipeTx }

// Conn returns the transaction's connection.
func (t *pipeTx) Conn() *pgx.Conn { return t.conn }

// errRow is a pgx.Row failing with err.
type errRow struct{ err error }

// Scan returns the row's error.
func (r errRow) Scan(...any) error { return r.err }

var _ pgx.Tx = (*pipeTx)(nil)
