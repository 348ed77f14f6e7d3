package relstore

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestPipeTx: BEGIN travels with the first batch and the batch's
// statements run inside the transaction (another session sees nothing
// before COMMIT); a batch carrying COMMIT commits, and Commit then sends
// nothing; an error in a batch carrying COMMIT skips the COMMIT, and
// Rollback leaves the session outside any transaction with nothing
// written; a transaction that sent nothing sends nothing. Round trips are
// counted by the connection's tracer.
func TestPipeTx(t *testing.T) {
	ctx := t.Context()
	dsn := testenv.NewPostgresDatabase(t, "rt", "pipetx")
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	counter := &RoundTripCounter{}
	cfg.Tracer = counter
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	other, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `CREATE TABLE t (id int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	rows := func() int {
		t.Helper()
		var n int
		if err := other.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	status := func() byte { return conn.PgConn().TxStatus() }

	// Two batches, COMMIT with the second: two round trips.
	counter.Reset()
	tx := newPipeTx(conn)
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO t VALUES (1)`)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		t.Fatal(err)
	}
	if status() != 'T' || rows() != 0 {
		t.Fatalf("after the first batch: status %q, %d rows visible elsewhere; want T and 0", status(), rows())
	}
	tx.commitWithNextBatch()
	b = &pgx.Batch{}
	b.Queue(`INSERT INTO t VALUES (2)`)
	br := tx.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		t.Fatal(err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := counter.Count(); n != 2 || status() != 'I' || rows() != 2 {
		t.Fatalf("committed with the batch: %d round trips, status %q, %d rows; want 2, I, 2", n, status(), rows())
	}
	if err := tx.Rollback(ctx); !errors.Is(err, pgx.ErrTxClosed) {
		t.Fatalf("Rollback after Commit: %v, want ErrTxClosed", err)
	}

	// An error before the batch's COMMIT: nothing is written, Rollback
	// ends the failed transaction.
	counter.Reset()
	tx = newPipeTx(conn)
	b = &pgx.Batch{}
	b.Queue(`INSERT INTO t VALUES (3)`)
	_ = tx.SendBatch(ctx, b).Close()
	tx.commitWithNextBatch()
	b = &pgx.Batch{}
	b.Queue(`INSERT INTO t VALUES (4)`)
	b.Queue(`INSERT INTO t VALUES (1)`) // duplicate key
	err = tx.SendBatch(ctx, b).Close()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Fatalf("batch with a duplicate key: %v, want 23505", err)
	}
	if status() != 'E' {
		t.Fatalf("after the failed batch: status %q, want E (COMMIT skipped)", status())
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if status() != 'I' || rows() != 2 {
		t.Fatalf("after Rollback: status %q, %d rows; want I and 2", status(), rows())
	}

	// A failing first batch (BEGIN with it), then Commit: the server
	// rolls back and Commit says so.
	tx = newPipeTx(conn)
	b = &pgx.Batch{}
	b.Queue(`INSERT INTO t VALUES (1)`)
	if err := tx.SendBatch(ctx, b).Close(); !errors.As(err, &pgErr) {
		t.Fatalf("first batch with a duplicate key: %v", err)
	}
	if err := tx.Commit(ctx); !errors.Is(err, pgx.ErrTxCommitRollback) {
		t.Fatalf("Commit of a failed transaction: %v, want ErrTxCommitRollback", err)
	}
	if status() != 'I' {
		t.Fatalf("after the failed Commit: status %q, want I", status())
	}

	// Plain statements begin the transaction on their own.
	tx = newPipeTx(conn)
	if _, err := tx.Exec(ctx, `INSERT INTO t VALUES (5)`); err != nil {
		t.Fatal(err)
	}
	if status() != 'T' || rows() != 2 {
		t.Fatalf("after Exec: status %q, %d rows; want T and 2", status(), rows())
	}
	if err := tx.Rollback(ctx); err != nil || rows() != 2 {
		t.Fatalf("Rollback after Exec: %v, %d rows; want 2", err, rows())
	}

	// Nothing sent: neither Commit nor Rollback sends anything.
	counter.Reset()
	if err := newPipeTx(conn).Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := newPipeTx(conn).Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := counter.Count(); n != 0 {
		t.Fatalf("empty transactions: %d round trips, want 0", n)
	}
}
