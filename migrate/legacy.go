package migrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Legacy is a connection pool to a legacy DMS JSONB database, verified to
// hold the legacy schema. It never writes: its sessions default to read-only
// transactions and every transaction it opens is READ ONLY.
type Legacy struct {
	pool *pgxpool.Pool
	// where names the database for messages (host and database name; the
	// DSN itself, which may hold a password, is never printed).
	where string
}

// OpenLegacy connects to the legacy database at dsn and checks that it
// holds the legacy schema (a *SchemaError saying what is missing
// otherwise). The caller closes it.
func OpenLegacy(ctx context.Context, dsn string) (*Legacy, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("legacy database: invalid connection string: %w", redact(err))
	}
	rp := cfg.ConnConfig.RuntimeParams
	rp["default_transaction_read_only"] = "on"
	if _, ok := rp["application_name"]; !ok {
		rp["application_name"] = "dmsc migrate"
	}
	where := fmt.Sprintf("database %q on %s", cfg.ConnConfig.Database, cfg.ConnConfig.Host)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("legacy database: %w", err)
	}
	l := &Legacy{pool: pool, where: where}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("legacy database: cannot connect to %s: %w", where, err)
	}
	if err := l.checkSchema(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return l, nil
}

// Close closes the pool.
func (l *Legacy) Close() { l.pool.Close() }

// Where names the legacy database for messages: its name and host, never
// the DSN.
func (l *Legacy) Where() string { return l.where }

// readOnly are the options of every legacy transaction: one snapshot for
// the whole pass, and no write possible.
var readOnly = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// BeginPass opens one READ ONLY, REPEATABLE READ transaction: every read
// of the pass sees the same snapshot of the legacy store. The caller
// closes it.
func (l *Legacy) BeginPass(ctx context.Context) (*Pass, error) {
	tx, err := l.pool.BeginTx(ctx, readOnly)
	if err != nil {
		return nil, fmt.Errorf("legacy database: begin a read-only transaction: %w", err)
	}
	p := &Pass{tx: tx}
	if err := tx.QueryRow(ctx, `SELECT current_setting('TimeZone'), txid_current_snapshot()::text`).Scan(&p.TimeZone, &p.Snapshot); err != nil {
		_ = tx.Rollback(ctx)
		return nil, fmt.Errorf("legacy database: %w", err)
	}
	return p, nil
}

// redact drops the connection string from a pgx parse error (it may hold
// a password), keeping the cause.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		if inner := pe.Unwrap(); inner != nil {
			return inner
		}
		return errors.New("cannot parse it")
	}
	return err
}
