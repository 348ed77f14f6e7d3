package authbench

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// Upserter is what Load writes through (a *relstore.Store).
type Upserter interface {
	Upsert(ctx context.Context, projectEndpoint, endpoint string, body []byte) (relstore.WriteResult, error)
}

// LoadStats describes a finished load.
type LoadStats struct {
	// Documents is the number of documents written.
	Documents int
	// Elapsed is the load's wall-clock time.
	Elapsed time.Duration
}

// Rate is documents per second.
func (l LoadStats) Rate() float64 {
	if l.Elapsed <= 0 {
		return 0
	}
	return float64(l.Documents) / l.Elapsed.Seconds()
}

// progressEvery is how often Load prints a progress line.
const progressEvery = 5 * time.Second

// Load POSTs every document of the phases, phase by phase (a phase starts
// when the previous one has been written), each phase by `writers`
// concurrent writers. It prints a line to progress (when not nil) at the
// start of each phase and every few seconds, and stops at the first
// failed write.
func Load(ctx context.Context, st Upserter, phases []Phase, writers int, progress io.Writer) (LoadStats, error) {
	writers = max(writers, 1)
	total := 0
	for _, ph := range phases {
		total += ph.Count
	}
	start := time.Now()
	var done atomic.Int64
	say := func(format string, args ...any) {
		if progress != nil {
			fmt.Fprintf(progress, "authbench: "+format+"\n", args...)
		}
	}
	stop := make(chan struct{})
	var ticker sync.WaitGroup
	ticker.Add(1)
	go func() {
		defer ticker.Done()
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				n := done.Load()
				el := time.Since(start)
				say("loaded %d of %d documents in %v (%.0f docs/s)", n, total, el.Round(time.Second), float64(n)/el.Seconds())
			}
		}
	}()
	defer func() {
		close(stop)
		ticker.Wait()
	}()
	for _, ph := range phases {
		say("phase %s: %d documents, %d writers", ph.Name, ph.Count, writers)
		if err := loadPhase(ctx, st, ph, writers, &done); err != nil {
			return LoadStats{Documents: int(done.Load()), Elapsed: time.Since(start)}, err
		}
	}
	stats := LoadStats{Documents: total, Elapsed: time.Since(start)}
	say("loaded %d documents in %v (%.0f docs/s)", total, stats.Elapsed.Round(time.Millisecond), stats.Rate())
	return stats, nil
}

// loadPhase writes one phase's documents with n concurrent writers, each
// taking the next index; the first error cancels the others.
func loadPhase(ctx context.Context, st Upserter, ph Phase, n int, done *atomic.Int64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= ph.Count || ctx.Err() != nil {
					return
				}
				ep, body := ph.Doc(i)
				if _, err := st.Upsert(ctx, ProjectEndpoint, ep, body); err != nil {
					once.Do(func() {
						first = fmt.Errorf("phase %s: POST /%s/%s %s: %w", ph.Name, ProjectEndpoint, ep, body, err)
						cancel()
					})
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return first
}
