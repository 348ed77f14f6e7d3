package ddl

import (
	"context"
	"fmt"
	"strings"

	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/model"
)

// ProvisionOptions tune Provision.
type ProvisionOptions struct {
	// CreateDatabase creates the DSN's database first when it does not
	// exist, outside the script's transaction (PostgreSQL: through the
	// `postgres` maintenance database; SQL Server: through `master`).
	CreateDatabase bool
}

// ProvisionStatus tells what Provision did.
type ProvisionStatus string

// The provisioning outcomes.
const (
	// Applied means the script ran and the database now holds the schema.
	Applied ProvisionStatus = "applied"
	// AlreadyProvisioned means the database already held the same hash;
	// nothing was changed.
	AlreadyProvisioned ProvisionStatus = "already provisioned"
)

// ProvisionResult reports a successful Provision.
type ProvisionResult struct {
	Status  ProvisionStatus
	Dialect model.Dialect
	// Hash is the effective schema hash the database holds.
	Hash string
	// CreatedDatabase is true when ProvisionOptions.CreateDatabase created
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
func (r *ProvisionResult) String() string {
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

// Provision applies script (the DDL of m; "" renders it) to the database
// at dsn, for m's dialect, after a fingerprint preflight under an
// exclusive provisioning lock:
//
//   - the database holds m's hash: nothing changes; status
//     AlreadyProvisioned once Verify finds every expected table, view and
//     column, else a *VerificationError;
//   - it holds another hash: nothing changes, a *MismatchError is returned;
//   - it holds none: the whole script runs in one transaction, which is
//     committed only when Verify finds the hash and every expected table,
//     view and column (a table created beforehand with other columns
//     survives CREATE TABLE IF NOT EXISTS; it fails here).
func Provision(ctx context.Context, dsn string, m *model.Model, script string, opts ProvisionOptions) (*ProvisionResult, error) {
	if script == "" {
		var err error
		if script, err = Render(m); err != nil {
			return nil, err
		}
	}
	var created bool
	var res *ProvisionResult
	var err error
	switch m.Dialect {
	case model.PgSQL:
		if opts.CreateDatabase {
			if created, err = CreatePostgresDatabase(ctx, dsn); err != nil {
				return nil, err
			}
		}
		res, err = provisionPostgresDSN(ctx, dsn, m, script)
	case model.MSSQL:
		if opts.CreateDatabase {
			if created, err = CreateMSSQLDatabase(ctx, dsn); err != nil {
				return nil, err
			}
		}
		res, err = provisionMSSQLDSN(ctx, dsn, m, script)
	default:
		_, err = all.For(m.Dialect)
	}
	if err != nil {
		return nil, err
	}
	res.CreatedDatabase = created
	return res, nil
}

// Verify checks the database at dsn against m: its newest effective schema
// hash equals m's, every expected table and view exists, and every
// expected table has m's columns (type with length, precision and scale,
// nullability, presence) and primary key. It returns a *VerificationError
// listing every problem otherwise.
func Verify(ctx context.Context, dsn string, m *model.Model) error {
	switch m.Dialect {
	case model.PgSQL:
		return verifyPostgresDSN(ctx, dsn, m)
	case model.MSSQL:
		return verifyMSSQLDSN(ctx, dsn, m)
	}
	_, err := all.For(m.Dialect)
	return err
}

// ReadState reads the effective schema state of the database at dsn with
// the dialect named dialectName.
func ReadState(ctx context.Context, dialectName model.Dialect, dsn string) (*State, error) {
	switch dialectName {
	case model.PgSQL:
		return readStatePostgresDSN(ctx, dsn)
	case model.MSSQL:
		return readStateMSSQLDSN(ctx, dsn)
	}
	_, err := all.For(dialectName)
	return nil, err
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
