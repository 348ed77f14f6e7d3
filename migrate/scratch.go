package migrate

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// scratch is where a preflight keeps its per-document state: temporary
// tables in a PostgreSQL session of its own on the target's server. They
// live as long as the session and are never seen by another, so a
// preflight changes nothing that outlasts it, and the process holds no
// state per legacy document (its memory does not grow with the store).
//
// One statement runs at a time (mu): the backfill's workers share it.
type scratch struct {
	mu   sync.Mutex
	conn *pgx.Conn
}

// scratchDDL creates the temporary tables. pf_doc holds one row per
// legacy document, idx being its position in load order (resources in
// dependency order, each in creation order); rejected is the first code
// that rejects it (NULL: it migrates). pf_claim maps each ReferentialId a
// document holds (natural key, superclass alias) to the first document in
// load order that holds it. pf_ref holds the references of the documents
// validation accepted, tgt being the document the reference resolves to
// (NULL: none). pf_pair holds the distinct dms.Reference document pairs
// (pf_pair_in as read, by DocumentUuid).
const scratchDDL = `CREATE TEMP TABLE pf_doc (
  idx bigint PRIMARY KEY,
  uuid uuid NOT NULL,
  res integer NOT NULL,
  rejected text,
  warned boolean NOT NULL,
  deferred boolean NOT NULL DEFAULT false,
  newly boolean NOT NULL DEFAULT false,
  modified timestamp NOT NULL,
  trace text NOT NULL);
CREATE UNIQUE INDEX pf_doc_uuid ON pf_doc (uuid);
CREATE TEMP TABLE pf_claim (refid uuid PRIMARY KEY, idx bigint NOT NULL);
CREATE TEMP TABLE pf_ref (
  idx bigint NOT NULL,
  ord integer NOT NULL,
  refid uuid NOT NULL,
  path text NOT NULL,
  target text NOT NULL,
  value text NOT NULL,
  descriptor boolean NOT NULL,
  tgt bigint,
  PRIMARY KEY (idx, ord));
CREATE TEMP TABLE pf_pair_in (parent uuid NOT NULL, child uuid NOT NULL, later boolean NOT NULL);
CREATE TEMP TABLE pf_pair (parent bigint NOT NULL, child bigint NOT NULL, later boolean NOT NULL)`

// openScratch opens the scratch session and creates its tables.
func openScratch(ctx context.Context, cfg *pgx.ConnConfig) (*scratch, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("target: opening the preflight's working session: %w", err)
	}
	if _, err := conn.Exec(ctx, scratchDDL); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("target: creating the preflight's temporary tables: %w", err)
	}
	return &scratch{conn: conn}, nil
}

// close drops the temporary tables and ends the session. The server
// would drop them too when the session ends, but after the client has
// gone: dropping them first means that nothing of the preflight is left
// when close returns.
func (s *scratch) close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.conn.Exec(ctx, "DISCARD TEMP")
	if cerr := s.conn.Close(ctx); err == nil {
		err = cerr
	}
	return err
}

// exec runs one statement.
func (s *scratch) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tag, err := s.conn.Exec(ctx, sql, args...)
	if err != nil {
		return 0, fmt.Errorf("target: preflight working tables: %w", err)
	}
	return tag.RowsAffected(), nil
}

// query runs one statement and calls fn for each row (one statement at a
// time: fn must not use s).
func (s *scratch) query(ctx context.Context, sql string, args []any, fn func(pgx.Rows) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, err := s.conn.Query(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("target: preflight working tables: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("target: preflight working tables: %w", err)
	}
	return nil
}

// copyRows bulk-inserts rows into table and returns how many.
func (s *scratch) copyRows(ctx context.Context, table string, columns []string, src pgx.CopyFromSource) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.conn.CopyFrom(ctx, pgx.Identifier{table}, columns, src)
	if err != nil {
		return 0, fmt.Errorf("target: preflight working tables: %s: %w", table, err)
	}
	return n, nil
}

// scratchDoc is one document's row of pf_doc.
type scratchDoc struct {
	idx      int64
	uuid     string
	res      int
	rejected string
	warned   bool
	modified time.Time
	traceID  string
}

// nullable is s, or NULL when empty.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
