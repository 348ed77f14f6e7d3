package relstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/edfi-dmsc/dmsc/refid"
)

// errRecheck reports that a referenced ReferentialId moved to another
// document between locking and re-checking (a concurrent identity
// change): the write retries.
var errRecheck = errors.New("a referenced identity changed concurrently")

// writeMode says how the target document is found.
type writeMode int

const (
	modeUpsert writeMode = iota // by natural key (POST)
	modeUpdate                  // by DocumentUuid (PUT)
)

// The lock protocol of a write (docs/runtime.md, "Locks") in round trip
// 1: one statement takes every lock, the next reads what the locks
// protect. Under READ COMMITTED a statement that waited for a row lock
// keeps the snapshot it started with (and PostgreSQL re-checks only the
// locked row, which never changes), so the Etag, the identity and every
// ReferentialId are read by a statement that starts once the locks are
// held.
const (
	// refsLock share-locks the lock rows of the documents ReferentialIds
	// $1 resolve to, in ascending DocumentId order.
	refsLock = `SELECT l."DocumentId" FROM "dms"."IdentityLock" l
WHERE l."DocumentId" IN (SELECT ri."DocumentId" FROM "dms"."ReferentialIdentity" ri WHERE ri."ReferentialId" = ANY($1::uuid[]))
ORDER BY l."DocumentId" FOR SHARE`
	// resolveArm resolves ReferentialIds $1 (references, the document's
	// own key and alias): kind 0, the ReferentialId, its DocumentId, the
	// row's and the document's resource keys, the document's uuid and
	// Etag (the natural key's holder is the written document of a POST).
	resolveArm = `SELECT 0::smallint AS kind, ri."ReferentialId", ri."DocumentId", ri."ResourceKeyId", d."ResourceKeyId", d."DocumentUuid"::text, d."Etag"
FROM "dms"."ReferentialIdentity" ri JOIN "dms"."Document" d ON d."DocumentId" = ri."DocumentId"
WHERE ri."ReferentialId" = ANY($1::uuid[])`
)

// A write's round trip 1, by mode: lock*SQL takes the locks — the
// referenced documents' (FOR SHARE, ascending) and then the written
// document's (FOR UPDATE; an Append runs its arms in order, and row
// locks keep the plan serial) — returning (own, DocumentId) rows; read*SQL
// then resolves every ReferentialId and reads the written document.
const (
	// lockByRefSQL: $1 the references' ReferentialIds, $2 the natural
	// key's, $3 the resource key.
	lockByRefSQL = `SELECT false, r."DocumentId" FROM (` + refsLock + `) r
UNION ALL
SELECT true, o."DocumentId" FROM (SELECT l."DocumentId" FROM "dms"."IdentityLock" l
WHERE l."DocumentId" IN (SELECT ri."DocumentId" FROM "dms"."ReferentialIdentity" ri WHERE ri."ReferentialId" = $2::uuid AND ri."ResourceKeyId" = $3)
FOR UPDATE) o`
	// lockByUUIDSQL: $1 the references' ReferentialIds, $2 the
	// DocumentUuid, $3 the resource key (a DELETE passes no references).
	lockByUUIDSQL = `SELECT false, r."DocumentId" FROM (` + refsLock + `) r
UNION ALL
SELECT true, o."DocumentId" FROM (SELECT l."DocumentId" FROM "dms"."IdentityLock" l
WHERE l."DocumentId" IN (SELECT d."DocumentId" FROM "dms"."Document" d WHERE d."DocumentUuid" = $2::uuid AND d."ResourceKeyId" = $3)
FOR UPDATE) o`
	// readByRefSQL (POST) resolves $1 and draws the DocumentId a created
	// document takes (kind 1; an update leaves a gap in the sequence).
	readByRefSQL = resolveArm + `
UNION ALL
SELECT 1, NULL, nextval(pg_get_serial_sequence('"dms"."Document"', 'DocumentId')), NULL, NULL, NULL, NULL`
	// readByUUIDSQL (PUT) resolves $1 and reads document $2 of resource
	// $3 (kind 2, with its primary ReferentialId).
	readByUUIDSQL = resolveArm + `
UNION ALL
SELECT 2, (SELECT ri."ReferentialId" FROM "dms"."ReferentialIdentity" ri WHERE ri."DocumentId" = d."DocumentId" AND ri."ResourceKeyId" = $3),
  d."DocumentId", NULL, d."ResourceKeyId", d."DocumentUuid"::text, d."Etag"
FROM "dms"."Document" d
WHERE d."DocumentUuid" = $2::uuid AND d."ResourceKeyId" = $3`
)

// The kinds of readByRefSQL's and readByUUIDSQL's rows.
const (
	readResolved int16 = 0
	readNextID   int16 = 1
	readOwnRow   int16 = 2
)

const (
	diagnoseDescriptorSQL = `SELECT lower(x."Uri"), rk."ProjectName" || ':' || rk."ResourceName"
FROM "dms"."Descriptor" x JOIN "dms"."ResourceKey" rk ON rk."ResourceKeyId" = x."ResourceKeyId"
WHERE lower(x."Uri") = ANY($1::text[])`
)

// lastModifiedPlain is lastModifiedExpr without the table alias.
const lastModifiedPlain = `to_char("LastModifiedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`

// Upsert stores body as a document of the resource at
// /{projectEndpoint}/{endpoint} with POST semantics: a new natural key
// creates a document (Created), an existing one updates that document.
func (s *Store) Upsert(ctx context.Context, projectEndpoint, endpoint string, body []byte) (_ WriteResult, err error) {
	defer func() { err = classify(err) }()
	p, err := s.entry(ctx, projectEndpoint, endpoint)
	if err != nil {
		return WriteResult{}, err
	}
	f, err := p.prepare(body)
	if err != nil {
		return WriteResult{}, err
	}
	return s.write(ctx, f, modeUpsert, "", "", nil)
}

// Update replaces the document id with body (PUT). ifMatch, when not "",
// must equal the document's current ETag.
func (s *Store) Update(ctx context.Context, projectEndpoint, endpoint, id string, body []byte, ifMatch string) (_ WriteResult, err error) {
	defer func() { err = classify(err) }()
	p, err := s.entry(ctx, projectEndpoint, endpoint)
	if err != nil {
		return WriteResult{}, err
	}
	if _, err := refid.Parse(id); err != nil {
		return WriteResult{}, fmt.Errorf("%w: %q is not a document id", ErrNotFound, id)
	}
	f, err := p.prepare(body)
	if err != nil {
		return WriteResult{}, err
	}
	return s.write(ctx, f, modeUpdate, strings.ToLower(id), ifMatch, nil)
}

// prepare decodes, validates and flattens a body.
func (p *plan) prepare(body []byte) (*flat, error) {
	doc, err := decodeDocument(body)
	if err != nil {
		return nil, err
	}
	f := p.flatten(doc)
	if len(f.problems) > 0 {
		return nil, &ValidationError{Problems: f.problems}
	}
	return f, nil
}

// write runs one write with bounded retries. imp, when not nil, makes
// it an import (import.go): a create that keeps imp's metadata.
func (s *Store) write(ctx context.Context, f *flat, mode writeMode, id, ifMatch string, imp *importing) (WriteResult, error) {
	var res WriteResult
	err := s.retrying(ctx, func() (err error) {
		res, err = s.writeOnce(ctx, f, mode, id, ifMatch, imp)
		return err
	})
	if err != nil {
		return WriteResult{}, err
	}
	s.shapes.forgetID(res.ID)
	return res, nil
}

// retrying runs attempt until it succeeds, fails with an error that is
// not retryable, or Options.MaxAttempts attempts failed (a
// *TransientError), backing off between attempts and telling the
// Observer why.
func (s *Store) retrying(ctx context.Context, attempt func() error) error {
	var last error
	for n := 1; n <= s.opts.MaxAttempts; n++ {
		err := attempt()
		if err == nil || !retryable(err) {
			return err
		}
		s.noteRetry(err)
		last = err
		if err := backoff(ctx, n); err != nil {
			return err
		}
	}
	return &TransientError{Attempts: s.opts.MaxAttempts, Err: last}
}

// retryable reports deadlocks, serialization failures and concurrent
// identity changes.
func retryable(err error) bool {
	if errors.Is(err, errRecheck) {
		return true
	}
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

// backoff sleeps a jittered, growing delay.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(attempt*attempt)*5*time.Millisecond + time.Duration(rand.Int64N(int64(10*time.Millisecond)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// resolved is one dms.ReferentialIdentity hit.
type resolved struct {
	docID  int64
	riKey  int16 // the ReferentialIdentity row's resource key
	docKey int16 // the document's resource key
}

// own is the written document when it exists.
type own struct {
	docID int64
	uuid  string
	etag  int64
	refID refid.UUID
	found bool
}

func uuidBytes(ids []refid.UUID) [][16]byte {
	out := make([][16]byte, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// writeOnce runs one attempt of a write in its own transaction: lock and
// read (round trip 1), decide on what was read, write every row (round
// trip 2), cascade an identity change, commit.
func (s *Store) writeOnce(ctx context.Context, f *flat, mode writeMode, id, ifMatch string, imp *importing) (WriteResult, error) {
	conn, err := s.db.Acquire(ctx)
	if err != nil {
		return WriteResult{}, err
	}
	defer conn.Release()
	// BEGIN goes with round trip 1 and, when nothing read afterwards can
	// refuse the write, COMMIT with round trip 2 (writeRows).
	tx := newPipeTx(conn.Conn())
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	out, err := s.writeTx(ctx, tx, f, mode, id, ifMatch, imp)
	if err != nil {
		return WriteResult{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return WriteResult{}, mapWriteError(f.p, err)
	}
	s.noteURI(out.uri)
	return out, nil
}

// writeTx is one write inside tx (which the caller commits): an import
// batch writes several documents in one transaction this way.
func (s *Store) writeTx(ctx context.Context, tx pgx.Tx, f *flat, mode writeMode, id, ifMatch string, imp *importing) (WriteResult, error) {
	st, err := s.lockAndRead(ctx, tx, f, mode, id)
	if err != nil {
		return WriteResult{}, mapWriteError(f.p, err)
	}
	st.imp = imp
	identityChanged, err := s.decide(f, st, mode, ifMatch)
	var collided *collisionError
	if err != nil && !errors.As(err, &collided) {
		return WriteResult{}, err
	}
	if err := s.checkResolution(ctx, tx, f, st.res); err != nil {
		return WriteResult{}, err
	}
	if collided != nil {
		return WriteResult{}, s.collision(ctx, tx, f.p, collided)
	}
	out, err := s.writeRows(ctx, tx, f, st, identityChanged)
	if err != nil {
		return WriteResult{}, mapWriteError(f.p, err)
	}
	// A descriptor whose URI changed only in letter case keeps its
	// identity, but every document showing the URI changes too.
	if identityChanged || out.uriChanged {
		if out.Cascade, err = s.cascade(ctx, tx, st.docID()); err != nil {
			return WriteResult{}, mapWriteError(f.p, err)
		}
	}
	out.Pruned = f.pruned
	return out, nil
}

// writeState is what round trip 1 found: the locks held and the state
// read once they were held.
type writeState struct {
	refIDs []refid.UUID // distinct referenced ids, sorted
	// lockedRefs are the referenced documents share-locked; lockedOwn the
	// document update-locked for this write (0 when none).
	lockedRefs map[int64]bool
	lockedOwn  int64
	// res resolves every id (references, the document's own and alias).
	res map[refid.UUID]resolved
	// me is the written document as read after the locks.
	me     own
	nextID int64 // a fresh DocumentId (POST)
	// storedDenied is set when a grant does not allow the stored document
	// (checked after the locks); updateDenied when the grant's claim set
	// may not update (a POST finding its natural key).
	storedDenied, updateDenied bool
	// storedCheck is set when the stored check was queued; updateErr is,
	// for a POST, why the Update predicate cannot be applied to the grant
	// (no EdOrg claims, say): the error of the POST if it finds its
	// natural key, nothing if it creates.
	storedCheck bool
	updateErr   *ForbiddenError
	// imp is set for an import: a create (the document must be new)
	// keeps imp's DocumentUuid, CreatedAt and LastModifiedAt, an update
	// its LastModifiedAt.
	imp *importing
}

// docID is the written document's id (new or existing).
func (st *writeState) docID() int64 {
	if st.me.found {
		return st.me.docID
	}
	return st.nextID
}

// lockAndRead is round trip 1, one batch: one statement share-locks the
// referenced documents (ascending) and update-locks the written
// document; the next — which starts after every lock is granted, so it
// sees what the writers they waited for committed — resolves every
// referential id and reads the written document's Etag, identity and the
// natural key's holder (and, under a grant, a third checks the stored
// document).
func (s *Store) lockAndRead(ctx context.Context, tx pgx.Tx, f *flat, mode writeMode, id string) (*writeState, error) {
	p := f.p
	st := &writeState{lockedRefs: map[int64]bool{}, res: map[refid.UUID]resolved{}}
	seen := map[refid.UUID]bool{}
	for _, r := range f.refs {
		if !seen[r.id] {
			seen[r.id] = true
			st.refIDs = append(st.refIDs, r.id)
		}
	}
	sort.Slice(st.refIDs, func(i, j int) bool { return bytes.Compare(st.refIDs[i][:], st.refIDs[j][:]) < 0 })
	all := append(append([]refid.UUID(nil), st.refIDs...), f.refID)
	if f.hasAlias {
		all = append(all, f.aliasID)
	}
	b := &pgx.Batch{}
	if mode == modeUpsert {
		b.Queue(lockByRefSQL, uuidBytes(st.refIDs), [16]byte(f.refID), p.key)
		b.Queue(readByRefSQL, uuidBytes(all))
	} else {
		b.Queue(lockByUUIDSQL, uuidBytes(st.refIDs), id, p.key)
		b.Queue(readByUUIDSQL, uuidBytes(all), id, p.key)
	}
	g, granted := grantFrom(ctx)
	st.updateDenied = granted && g.UpdateDenied
	if granted && !st.updateDenied {
		doc, args := storedByUUIDExpr, []any{id, p.key}
		if mode == modeUpsert {
			doc, args = storedByRefExpr, []any{[16]byte(f.refID), p.key}
		}
		sql, args, err := s.allowedSQL(ctx, p, g.updatePredicate(), doc, args)
		var fe *ForbiddenError
		switch {
		case mode == modeUpsert && errors.As(err, &fe):
			st.updateErr = fe
		case err != nil:
			return nil, err
		default:
			b.Queue(sql, args...)
			st.storedCheck = true
		}
	}
	lockStart := time.Now()
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	if err := st.readLocks(br); err != nil {
		return nil, err
	}
	if s.opts.Observer != nil {
		s.opts.Observer.LockWait(time.Since(lockStart))
	}
	if err := st.readState(br, f, mode); err != nil {
		return nil, err
	}
	if st.storedCheck {
		var ok bool
		switch err := br.QueryRow().Scan(&ok); {
		case err == nil:
			st.storedDenied = !ok
		case !isNoRows(err):
			return nil, err
		}
	}
	return st, br.Close()
}

// readLocks reads which documents lockByRefSQL or lockByUUIDSQL locked.
func (st *writeState) readLocks(br pgx.BatchResults) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var own bool
		var d int64
		if err := rows.Scan(&own, &d); err != nil {
			return err
		}
		if own {
			st.lockedOwn = d
		} else {
			st.lockedRefs[d] = true
		}
	}
	return rows.Err()
}

// readState reads what readByRefSQL or readByUUIDSQL returned: every
// resolved ReferentialId, and the written document (for a POST, the
// holder of its natural key) with the next DocumentId.
func (st *writeState) readState(br pgx.BatchResults, f *flat, mode writeMode) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind int16
		var rid *[16]byte
		var docID int64
		var riKey, docKey *int16
		var uuid *string
		var etag *int64
		if err := rows.Scan(&kind, &rid, &docID, &riKey, &docKey, &uuid, &etag); err != nil {
			return err
		}
		switch kind {
		case readNextID:
			st.nextID = docID
		case readOwnRow:
			st.me = own{found: true, docID: docID, uuid: *uuid, etag: *etag}
			if rid != nil {
				st.me.refID = refid.UUID(*rid)
			}
		case readResolved:
			r := resolved{docID: docID, riKey: *riKey, docKey: *docKey}
			st.res[refid.UUID(*rid)] = r
			if mode != modeUpsert || refid.UUID(*rid) != f.refID || r.riKey != f.p.key {
				continue
			}
			// A POST's natural key: its holder is the written document.
			st.me = own{found: true, docID: docID, uuid: *uuid, etag: *etag, refID: f.refID}
		}
	}
	return rows.Err()
}

// decide takes the write's decisions on the state read after the locks:
// the documents it relies on must be the ones it locked (else another
// writer moved an identity meanwhile: retry), then If-Match, existence,
// identity change and natural-key conflicts (a *collisionError, answered
// by writeTx after the references resolve).
func (s *Store) decide(f *flat, st *writeState, mode writeMode, ifMatch string) (identityChanged bool, err error) {
	p, me := f.p, st.me
	if me.found && me.docID != st.lockedOwn {
		// The natural key moved to a document this write did not lock
		// (renamed onto it, or created, while the lock statement ran).
		return false, errRecheck
	}
	for _, rid := range st.refIDs {
		if r, ok := st.res[rid]; ok && !st.lockedRefs[r.docID] && !(me.found && r.docID == me.docID) {
			return false, errRecheck
		}
	}
	if mode == modeUpdate && !me.found {
		return false, ErrNotFound
	}
	if st.imp != nil && me.found && mode == modeUpsert {
		return false, st.imp.exists(p, me.uuid)
	}
	if me.found && st.storedDenied {
		return false, denied("the stored document")
	}
	if mode == modeUpsert && me.found && st.updateErr != nil {
		return false, st.updateErr
	}
	if mode == modeUpsert && me.found && st.updateDenied {
		return false, &ForbiddenError{Status: 403, ProblemType: ProblemTypeDocumentDenied,
			Detail: "The document exists and the caller may not update it (a POST of an existing natural key updates)."}
	}
	if mode == modeUpdate {
		if ifMatch != "" && strings.Trim(ifMatch, `"`) != strconv.FormatInt(me.etag, 10) {
			return false, ErrETagMismatch
		}
		if me.refID != f.refID {
			if !p.res.AllowIdentityUpdates && !(p.descriptor && s.opts.DescriptorURIUpdates) {
				return false, &ValidationError{Problems: []Problem{{Path: "$", Message: fmt.Sprintf("the identifying values of a %s cannot be changed", p.res.ResourceName)}}}
			}
			identityChanged = true
			if r, ok := st.res[f.refID]; ok && r.docID != me.docID {
				return false, &collisionError{id: f.refID, err: &ConflictError{Constraint: "natural key", Message: fmt.Sprintf(
					"another %s:%s already has the new identity", p.res.ProjectName, p.res.ResourceName)}}
			}
		}
	}
	if f.hasAlias {
		if r, ok := st.res[f.aliasID]; ok && (!me.found || r.docID != me.docID) {
			return false, &collisionError{id: f.aliasID, alias: true, err: &ConflictError{Constraint: "natural key", Message: fmt.Sprintf(
				"a %s:%s with the same identity already exists (as another subclass)", p.res.Superclass.ProjectName, p.res.Superclass.ResourceName)}}
		}
	}
	return identityChanged, nil
}

// writeRows is round trip 2: the FK values and edge set from the resolved
// references, then one batch writing the document (create, or update:
// ETag bump, child rows, edge diff and, on an identity change, its
// ReferentialIdentity rows).
func (s *Store) writeRows(ctx context.Context, tx pgx.Tx, f *flat, st *writeState, identityChanged bool) (WriteResult, error) {
	p := f.p
	edges := map[int64]bool{}
	for _, r := range f.refs {
		d := st.res[r.id].docID
		text := strconv.FormatInt(d, 10)
		f.rows[r.table][r.row].vals[r.col] = &text
		edges[d] = edges[d] || r.edge.e.IsIdentityComponent
	}
	children := make([]int64, 0, len(edges))
	for d := range edges {
		children = append(children, d)
	}
	sort.Slice(children, func(i, j int) bool { return children[i] < children[j] })
	idents := make([]bool, len(children))
	for i, d := range children {
		idents[i] = edges[d]
	}

	created := !st.me.found
	docID, uuid := st.docID(), st.me.uuid
	stmts := p.writeStatements(f)
	var rowArgs []any
	if p.descriptor {
		d := f.desc
		rowArgs = []any{p.key, d.namespace, d.codeValue, d.shortDescription, d.description, d.beginDate, d.endDate, d.namespace + "#" + d.codeValue}
	} else {
		rowArgs = f.rowArgs(stmts.shape)
	}
	b := &pgx.Batch{}
	if p.edorg != nil {
		// After every document lock (round trip 1): hierarchy writers
		// serialise here without holding AuthLock while they wait.
		b.Queue(lockAuthSQL)
	}
	if created {
		uuid = newUUID()
		if st.imp != nil {
			uuid = st.imp.uuid
		}
		ids, keys := []refid.UUID{f.refID}, []int16{p.key}
		if f.hasAlias {
			ids, keys = append(ids, f.aliasID), append(keys, p.superKey)
		}
		b.Queue(stmts.create, append([]any{docID, uuid, p.key, uuidBytes(ids), keys, children, idents}, rowArgs...)...)
		st.imp.queueStamp(b, docID)
	} else {
		b.Queue(p.updateSQL, docID, children, idents)
		st.imp.queueStamp(b, docID)
		b.Queue(stmts.rows, append([]any{docID}, rowArgs...)...)
		if identityChanged {
			own := []docIdentity{{docID: docID, primary: f.refID, alias: f.aliasID, hasAlias: f.hasAlias}}
			rid, rdocs, rkeys := p.identityRows(own)
			b.Queue(deleteIdentitySQL, []int64{docID})
			b.Queue(insertIdentitySQL, rid, rdocs, rkeys)
		}
	}
	if s.opts.VerifyEdges {
		b.Queue(p.edgeVerifySQL, docID)
	}
	if p.subjectsSQL != "" {
		b.Queue(p.subjectsSQL, []int64{docID})
	}
	if p.edorg != nil {
		if err := p.queueEdOrg(b, f, docID, created); err != nil {
			return WriteResult{ID: uuid, Created: created}, err
		}
	}
	verifyAuth := s.opts.VerifyAuthRows && p.authVerifySQL != ""
	if verifyAuth {
		b.Queue(p.authVerifySQL, docID)
	}
	// Last, after the document's rows, subjects and hierarchy: whether the
	// grant allows the document as written (a new school is its own
	// descendant in the closure).
	proposed := false
	if g, ok := grantFrom(ctx); ok {
		pred := g.Predicate
		if !created {
			pred = g.updatePredicate()
		}
		sql, args, err := s.allowedSQL(ctx, p, pred, "$1", []any{docID})
		if err != nil {
			return WriteResult{}, err
		}
		b.Queue(sql, args...)
		proposed = true
	}
	out := WriteResult{ID: uuid, Created: created}
	var etag int64
	var lastMod string
	if pt, ok := tx.(*pipeTx); ok && !identityChanged && !proposed && !verifyAuth && !s.opts.VerifyEdges &&
		(created || !p.descriptor && p.edorg == nil) {
		// Nothing read from this batch can refuse the write, and no
		// cascade follows (a descriptor update may change its URI, an
		// EdOrg update may find a cycle): COMMIT goes with it.
		pt.commitWithNextBatch()
	}
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	if p.edorg != nil {
		if _, err := br.Exec(); err != nil {
			return out, err
		}
	}
	row := br.QueryRow()
	var err error
	switch {
	case created && p.descriptor && p.uris != nil:
		out.uri = writtenURI{docID: docID, uri: rowArgs[len(rowArgs)-1].(string)}
		err = row.Scan(&etag, &lastMod, &out.Edges.Inserted, &out.uri.gen)
	case created:
		err = row.Scan(&etag, &lastMod, &out.Edges.Inserted)
	default:
		err = row.Scan(&etag, &lastMod, &out.Edges.Inserted, &out.Edges.Updated, &out.Edges.Deleted)
	}
	if err != nil {
		return out, err
	}
	if err := st.imp.readStamp(br, &lastMod); err != nil {
		return out, err
	}
	if !created {
		var err error
		if p.descriptor {
			err = br.QueryRow().Scan(&out.uriChanged)
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			return out, err
		}
		for i := 0; i < 2*boolInt(identityChanged); i++ {
			if _, err := br.Exec(); err != nil {
				return out, err
			}
		}
	}
	if s.opts.VerifyEdges {
		var diff int64
		if err := br.QueryRow().Scan(&diff); err != nil {
			return out, err
		}
		if diff != 0 {
			return out, fmt.Errorf("runtime: edge verification failed: %d dms.ReferenceEdge rows of document %d differ from its FK columns", diff, docID)
		}
	}
	if p.subjectsSQL != "" {
		if _, err := br.Exec(); err != nil {
			return out, err
		}
	}
	if p.edorg != nil {
		if err := readEdOrg(br, docID, created); err != nil {
			return out, err
		}
	}
	if verifyAuth {
		var diff int64
		if err := br.QueryRow().Scan(&diff); err != nil {
			return out, err
		}
		if diff != 0 {
			return out, &AuthVerifyError{DocumentID: docID, Differences: diff}
		}
	}
	if proposed {
		var ok bool
		if err := br.QueryRow().Scan(&ok); err != nil && !isNoRows(err) {
			return out, err
		} else if !ok {
			return out, denied("the document as written")
		}
	}
	out.ETag = strconv.FormatInt(etag, 10)
	out.LastModified, _ = time.Parse(time.RFC3339, lastMod)
	return out, br.Close()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// rowArgs returns the array parameters of rowsCTE: per table (in order)
// one integer array per key column after the first, then one text array
// per data column, or a presence array for a presenceOnly table.
func (f *flat) rowArgs(shape writeShape) []any {
	var args []any
	for _, tp := range f.p.tables {
		if !shape.has(tp.idx) {
			continue
		}
		rows := f.rows[tp.idx]
		if tp.presenceOnly() {
			args = append(args, make([]int32, len(rows)))
		}
		for k := 0; k < len(tp.keyCols)-1; k++ {
			col := make([]int32, len(rows))
			for i, r := range rows {
				col[i] = r.key[k]
			}
			args = append(args, col)
		}
		for c := range tp.dataCols {
			col := make([]*string, len(rows))
			for i, r := range rows {
				col[i] = r.vals[c]
			}
			args = append(args, col)
		}
	}
	return args
}

// checkResolution turns unresolved references and descriptors into typed
// errors (descriptors kept distinct, wrong descriptor types named).
func (s *Store) checkResolution(ctx context.Context, tx pgx.Tx, f *flat, res map[refid.UUID]resolved) error {
	var refErr ReferenceError
	var descErr DescriptorError
	var missingURIs []string
	for _, r := range f.refs {
		hit, ok := res[r.id]
		e := r.edge
		switch {
		case e.descriptor:
			if !ok || hit.riKey != e.targetKey {
				descErr.Unresolved = append(descErr.Unresolved, UnresolvedDescriptor{Path: r.path, URI: r.value, Expected: e.name})
				missingURIs = append(missingURIs, strings.ToLower(r.value))
			}
		case !ok:
			refErr.Unresolved = append(refErr.Unresolved, UnresolvedReference{Path: r.path, Target: e.name, Reason: "not found"})
		case e.abstract != nil:
			member := false
			for _, k := range e.memberKeys {
				member = member || k == hit.docKey
			}
			if !member {
				refErr.Unresolved = append(refErr.Unresolved, UnresolvedReference{Path: r.path, Target: e.name, Reason: "not a member of " + e.name})
			}
		case hit.riKey != e.targetKey && hit.docKey != e.targetKey:
			refErr.Unresolved = append(refErr.Unresolved, UnresolvedReference{Path: r.path, Target: e.name, Reason: "resolves to another resource"})
		}
	}
	if len(descErr.Unresolved) > 0 {
		found := map[string]string{}
		rows, err := tx.Query(ctx, diagnoseDescriptorSQL, missingURIs)
		if err == nil {
			for rows.Next() {
				var uri, name string
				if rows.Scan(&uri, &name) == nil {
					found[uri] = name
				}
			}
			rows.Close()
		}
		for i := range descErr.Unresolved {
			u := &descErr.Unresolved[i]
			if name, ok := found[strings.ToLower(u.URI)]; ok && name != u.Expected {
				u.Found = name
			}
		}
		return &descErr
	}
	if len(refErr.Unresolved) > 0 {
		return &refErr
	}
	return nil
}

// mapWriteError maps database errors to the package's typed errors.
func mapWriteError(p *plan, err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	switch pg.Code {
	case "23505":
		c := &ConflictError{Constraint: pg.ConstraintName, Message: "duplicate key: " + pg.Message}
		switch pg.ConstraintName {
		case "PK_ReferentialIdentity":
			c.Constraint = "natural key"
			c.Message = fmt.Sprintf("a document with the same identity already exists (%s:%s)", p.res.ProjectName, p.res.ResourceName)
		default:
			for _, u := range p.uniqueness {
				if u.u.Constraint == pg.ConstraintName {
					c.Paths = u.u.Paths
					c.Message = "duplicate values at " + strings.Join(u.u.Paths, ", ")
				}
			}
		}
		return c
	case "23503":
		return &ConflictError{Constraint: pg.ConstraintName, Message: "a referenced document was deleted concurrently: " + pg.Message}
	case "22001", "22003", "22007", "22008", "22P02", "23502":
		return &ValidationError{Problems: []Problem{{Path: "$", Message: pg.Message + columnSuffix(pg)}}}
	}
	return err
}

func columnSuffix(pg *pgconn.PgError) string {
	if pg.ColumnName != "" {
		return " (column " + pg.TableName + "." + pg.ColumnName + ")"
	}
	return ""
}
