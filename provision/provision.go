package provision

import (
	"context"
	"fmt"
	"strings"

	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/model"
)

// Options tune Provision.
type Options struct {
	// CreateDatabase creates the DSN's database first when it does not
	// exist, outside the script's transaction (PostgreSQL: through the
	// `postgres` maintenance database; SQL Server: through `master`).
	CreateDatabase bool
}

// Status tells what Provision did.
type Status string

// The provisioning outcomes.
const (
	// Applied means the script ran and the database now holds the schema.
	Applied Status = "applied"
	// AlreadyProvisioned means the database already held the same hash;
	// nothing was changed.
	AlreadyProvisioned Status = "already provisioned"
)

// Result reports a successful Provision.
type Result struct {
	Status  Status
	Dialect model.Dialect
	// Hash is the effective schema hash the database holds.
	Hash string
	// CreatedDatabase is true when Options.CreateDatabase created
	// the database.
	CreatedDatabase bool
	// Statements and Batches count what was executed (0 when already
	// provisioned); Batches is 1 on PostgreSQL.
	Statements, Batches int
}

// When phrases of a *VerificationError returned by Provision.
const (
	whenApplied            = "after applying the script (rolled back)"
	whenAlreadyProvisioned = "of the already provisioned database (nothing changed)"
)

// String summarises the result in one line.
func (r *Result) String() string {
	var b strings.Builder
	if r.CreatedDatabase {
		b.WriteString("created the database; ")
	}
	switch r.Status {
	case AlreadyProvisioned:
		b.WriteString("already provisioned with effective schema hash " + r.Hash + ", catalog verified; nothing changed")
	default:
		fmt.Fprintf(&b, "applied %d statements in %d batch(es) in one transaction; effective schema hash %s verified", r.Statements, r.Batches, r.Hash)
	}
	return b.String()
}

// Engine provisions and inspects the databases of one SQL dialect.
// Postgres and SQLServer implement it; For picks one.
type Engine interface {
	// Dialect is the dialect the engine serves.
	Dialect() model.Dialect
	// CreateDatabase creates the DSN's database unless it exists (through
	// the server's maintenance database) and reports whether it did.
	CreateDatabase(ctx context.Context, dsn string) (bool, error)
	// Apply provisions the database at dsn with script (see Provision).
	Apply(ctx context.Context, dsn string, m *model.Model, script string) (*Result, error)
	// Verify checks the database at dsn against m (see Verify).
	Verify(ctx context.Context, dsn string, m *model.Model) error
	// ReadState reads the database's effective schema state.
	ReadState(ctx context.Context, dsn string) (*State, error)
}

// For returns the engine of dialect d.
func For(d model.Dialect) (Engine, error) {
	switch d {
	case model.PgSQL:
		return Postgres{}, nil
	case model.MSSQL:
		return SQLServer{}, nil
	}
	if _, err := all.For(d); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("provision: no engine for dialect %s", d)
}

// Provision applies script (the DDL of m; "" renders it) to the database
// at dsn with the engine of m's dialect, after a fingerprint preflight
// under an exclusive provisioning lock:
//
//   - the database holds m's hash: nothing changes; status
//     AlreadyProvisioned once Verify finds every expected table, view and
//     column, else a *VerificationError;
//   - it holds another hash: nothing changes, a *MismatchError is returned;
//   - it holds none: the whole script runs in one transaction, which is
//     committed only when Verify finds the hash and every expected table,
//     view and column (a table created beforehand with other columns
//     survives CREATE TABLE IF NOT EXISTS; it fails here).
func Provision(ctx context.Context, dsn string, m *model.Model, script string, opts Options) (*Result, error) {
	e, err := For(m.Dialect)
	if err != nil {
		return nil, err
	}
	if script == "" {
		if script, err = ddl.Render(m); err != nil {
			return nil, err
		}
	}
	var created bool
	if opts.CreateDatabase {
		if created, err = e.CreateDatabase(ctx, dsn); err != nil {
			return nil, err
		}
	}
	res, err := e.Apply(ctx, dsn, m, script)
	if err != nil {
		return nil, err
	}
	res.CreatedDatabase = created
	return res, nil
}

// Verify checks the database at dsn against m: its newest effective schema
// hash equals m's, every expected table and view exists, and every
// expected table has m's columns (type with length, precision and scale,
// nullability, presence), primary key and unique keys. It returns a
// *VerificationError listing every problem otherwise.
func Verify(ctx context.Context, dsn string, m *model.Model) error {
	e, err := For(m.Dialect)
	if err != nil {
		return err
	}
	return e.Verify(ctx, dsn, m)
}

// ReadState reads the effective schema state of the database at dsn with
// the engine of dialect d.
func ReadState(ctx context.Context, d model.Dialect, dsn string) (*State, error) {
	e, err := For(d)
	if err != nil {
		return nil, err
	}
	return e.ReadState(ctx, dsn)
}

// statementSummary returns the first non-comment line of a batch, for
// error messages.
func statementSummary(batch string) string {
	for _, line := range strings.Split(batch, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "--") {
			if len(line) > 120 {
				line = line[:120] + "…"
			}
			return line
		}
	}
	return ""
}
