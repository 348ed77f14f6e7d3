package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// progressInterval is the least time between two redraws of the progress
// line.
const progressInterval = 100 * time.Millisecond

// auditIsTerminal reports whether the audit commands' stderr is a
// terminal, on which they draw their progress line. Tests replace it.
var auditIsTerminal = isTerminal

// auditTracker follows an audit's progress: it remembers the last
// progress report (for the cursor of an interrupted run) and, when its
// writer is a terminal, keeps one updating progress line on it.
type auditTracker struct {
	mu      sync.Mutex
	w       io.Writer // nil when not a terminal
	command string
	last    relstore.Progress
	seen    bool // a progress report arrived
	drawn   time.Time
	shown   bool
}

// newAuditTracker starts tracking a run of command whose progress line goes
// to stderr when that is a terminal.
func newAuditTracker(stderr io.Writer, command string) *auditTracker {
	t := &auditTracker{command: command}
	if auditIsTerminal(stderr) {
		t.w = stderr
	}
	return t
}

// update records a progress report and redraws the line, at most every
// progressInterval and whenever the resource changes.
func (t *auditTracker) update(p relstore.Progress) {
	t.mu.Lock()
	defer t.mu.Unlock()
	changed := p.Resource != t.last.Resource
	t.last = p
	t.seen = true
	if t.w == nil || (!changed && time.Since(t.drawn) < progressInterval) {
		return
	}
	t.drawn = time.Now()
	t.shown = true
	fmt.Fprintf(t.w, "\r\x1b[K%s: %s  checked %d  findings %d", t.command, p.Resource, p.Checked, p.Findings)
}

// clear erases the progress line, if one was drawn.
func (t *auditTracker) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.shown {
		fmt.Fprint(t.w, "\r\x1b[K")
		t.shown = false
	}
}

// partial is the report of a run that stopped early: rep when the runtime
// returned one, else one built from the last progress report, or nil when
// there is neither. A missing cursor is taken from the last progress
// report.
func (t *auditTracker) partial(rep *relstore.Report, elapsed time.Duration) *relstore.Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case rep != nil:
		out := *rep
		if out.Cursor == "" && t.seen {
			out.Cursor = t.last.Cursor
		}
		return &out
	case t.seen:
		return &relstore.Report{Checked: t.last.Checked, Differences: t.last.Findings, Cursor: t.last.Cursor, Elapsed: elapsed}
	}
	return nil
}
