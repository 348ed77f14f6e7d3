package relstore

import (
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"
)

// UnavailableError reports that the database could not serve the request:
// it could not be reached, the connection was lost, it is shutting down or
// has no connection slot left, or a statement ran past its timeout.
// Servers map it to 503 with Retry-After. A write that fails this way was
// rolled back, except when the connection was lost during COMMIT, where the
// outcome is unknown (the write is idempotent: send it again).
type UnavailableError struct {
	Err error
}

// Error implements error.
func (e *UnavailableError) Error() string { return "the database is unavailable: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// unavailableCodes are the SQLSTATEs of a database that cannot serve the
// request now (besides class 08, connection exceptions).
var unavailableCodes = map[string]bool{
	"57P01": true, // admin_shutdown
	"57P02": true, // crash_shutdown
	"57P03": true, // cannot_connect_now
	"53300": true, // too_many_connections
	"57014": true, // query_canceled (statement_timeout)
}

// classify wraps the errors that mean "the database is unavailable" in an
// *UnavailableError; every other error is returned unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ue *UnavailableError
	if errors.As(err, &ue) {
		return err
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		if strings.HasPrefix(pg.Code, "08") || unavailableCodes[pg.Code] {
			return &UnavailableError{Err: err}
		}
		return err
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, puddle.ErrClosedPool), pgconn.Timeout(err):
		return &UnavailableError{Err: err}
	}
	return err
}
