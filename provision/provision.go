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
	// Manifest is the runtime mapping manifest (JSON) to store in
	// dms.RuntimeManifest with the effective schema, so that a runtime can
	// open the database without the ApiSchema files; nil stores none. A
	// database already provisioned for the same hash without a stored
	// manifest gets it too.
	Manifest []byte
	// DryRun changes nothing: the preflight runs (read-only) and the
	// result lists the steps a real run would execute.
	DryRun bool
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
	// WouldApply is a dry run's answer for a database a real run would
	// provision.
	WouldApply Status = "would apply"
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
	// Statements and Batches count the script's statements and batches
	// that were executed (a dry run: would be; 0 when already
	// provisioned); Batches is 1 on PostgreSQL.
	Statements, Batches int
	// DryRun marks the result of a dry run: nothing was changed.
	DryRun bool
	// WouldCreateDatabase is set by a dry run with
	// Options.CreateDatabase when the database does not exist.
	WouldCreateDatabase bool
	// StoredManifest is set when the runtime manifest was stored (a dry
	// run: would be).
	StoredManifest bool
	// AddedTables lists the later core tables (ddl.LaterCoreTables) an
	// already provisioned database lacked and that were created (a dry
	// run: would be), as schema.name.
	AddedTables []string
	// Steps are the statements (SQL Server: batches) executed, in order;
	// a dry run lists those a real run would execute.
	Steps []Step
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
	if r.WouldCreateDatabase {
		b.WriteString("dry run: would create the database, then ")
	} else if r.DryRun {
		b.WriteString("dry run: ")
	}
	switch {
	case r.Status == AlreadyProvisioned && len(r.AddedTables) > 0:
		b.WriteString("already provisioned with effective schema hash " + r.Hash + ", catalog verified; ")
		if r.DryRun {
			b.WriteString("would create ")
		} else {
			b.WriteString("created ")
		}
		b.WriteString(strings.Join(r.AddedTables, ", ") + " (tables added by a later dmsc)")
		if r.StoredManifest && r.DryRun {
			b.WriteString(" and would store the runtime manifest")
		} else if r.StoredManifest {
			b.WriteString(" and stored the runtime manifest")
		}
	case r.Status == AlreadyProvisioned && r.StoredManifest && r.DryRun:
		b.WriteString("already provisioned with effective schema hash " + r.Hash + ", catalog verified; would store the runtime manifest (1 statement)")
	case r.Status == AlreadyProvisioned && r.StoredManifest:
		b.WriteString("already provisioned with effective schema hash " + r.Hash + ", catalog verified; stored the runtime manifest")
	case r.Status == AlreadyProvisioned && r.DryRun:
		b.WriteString("already provisioned with effective schema hash " + r.Hash + ", catalog verified; nothing would change")
	case r.Status == AlreadyProvisioned:
		b.WriteString("already provisioned with effective schema hash " + r.Hash + ", catalog verified; nothing changed")
	case r.Status == WouldApply:
		fmt.Fprintf(&b, "would apply %d statements in %d batch(es) in one transaction", r.Statements, r.Batches)
		if r.StoredManifest {
			b.WriteString(" and store the runtime manifest")
		}
		fmt.Fprintf(&b, " (%d steps below); effective schema hash %s; nothing was changed", len(r.Steps), r.Hash)
	default:
		fmt.Fprintf(&b, "applied %d statements in %d batch(es) in one transaction", r.Statements, r.Batches)
		if r.StoredManifest {
			b.WriteString(", stored the runtime manifest")
		}
		fmt.Fprintf(&b, "; effective schema hash %s verified", r.Hash)
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
	// DatabaseExists reports whether the DSN's database exists (through
	// the server's maintenance database), changing nothing.
	DatabaseExists(ctx context.Context, dsn string) (bool, error)
	// Plan returns the dry-run result for a database that holds no
	// effective schema: the steps that would apply script and store the
	// runtime manifest (nil: none).
	Plan(m *model.Model, script string, manifest []byte) (*Result, error)
	// Apply provisions the database at dsn with script (see Provision);
	// opts.CreateDatabase is handled by Provision.
	Apply(ctx context.Context, dsn string, m *model.Model, script string, opts Options) (*Result, error)
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
	switch {
	case opts.CreateDatabase && opts.DryRun:
		exists, err := e.DatabaseExists(ctx, dsn)
		if err != nil {
			return nil, err
		}
		if !exists {
			res, err := e.Plan(m, script, opts.Manifest)
			if err != nil {
				return nil, err
			}
			res.WouldCreateDatabase = true
			return res, nil
		}
	case opts.CreateDatabase:
		if created, err = e.CreateDatabase(ctx, dsn); err != nil {
			return nil, err
		}
	}
	res, err := e.Apply(ctx, dsn, m, script, opts)
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

// statementSummary returns the start of a statement or batch without
// comment lines, its whitespace collapsed, for error messages: enough to
// find it in the script (`DO $$ BEGIN IF NOT EXISTS (SELECT 1 …`).
func statementSummary(batch string) string {
	var words []string
	for _, line := range strings.Split(batch, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "--") {
			continue
		}
		words = append(words, strings.Fields(line)...)
	}
	out := strings.Join(words, " ")
	if r := []rune(out); len(r) > 160 {
		out = string(r[:160]) + "…"
	}
	return out
}
