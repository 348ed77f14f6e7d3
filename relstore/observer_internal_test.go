package relstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// reasons records Retry reasons.
type reasons []string

// Retry implements Observer.
func (r *reasons) Retry(reason string) { *r = append(*r, reason) }

// LockWait implements Observer.
func (r *reasons) LockWait(time.Duration) {}

// TestRetryReasons: the Observer learns why an attempt is retried.
func TestRetryReasons(t *testing.T) {
	var got reasons
	s := &Store{opts: Options{Observer: &got}}
	for _, err := range []error{
		&pgconn.PgError{Code: "40P01"},
		fmt.Errorf("write: %w", &pgconn.PgError{Code: "40001"}),
		errRecheck,
	} {
		s.noteRetry(err)
	}
	want := reasons{RetryDeadlock, RetrySerialization, RetryIdentityMoved}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reasons %v, want %v", got, want)
	}
}
