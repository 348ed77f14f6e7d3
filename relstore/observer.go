package relstore

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Retry reasons an Observer receives.
const (
	RetryDeadlock      = "deadlock"
	RetrySerialization = "serialization"
	RetryIdentityMoved = "identity-moved"
)

// Observer receives what the store observes of its own work (package
// telemetry's Prometheus recorder implements it). Calls come from the
// writing goroutine: implementations must be safe for concurrent use and
// must not block.
type Observer interface {
	// Retry is called before a write or delete attempt that failed with
	// a retryable error is tried again: RetryDeadlock,
	// RetrySerialization or RetryIdentityMoved (a referenced identity
	// changed while the write waited).
	Retry(reason string)
	// LockWait reports how long a write's locking round trip took (the
	// shared dms.IdentityLock locks of what it references, the update
	// lock of its own row): any wait behind another writer's locks is in
	// it.
	LockWait(d time.Duration)
}

// noteRetry tells the Observer why an attempt is retried.
func (s *Store) noteRetry(err error) {
	if s.opts.Observer == nil {
		return
	}
	reason := RetryIdentityMoved
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		reason = RetrySerialization
		if pg.Code == "40P01" {
			reason = RetryDeadlock
		}
	}
	s.opts.Observer.Retry(reason)
}
