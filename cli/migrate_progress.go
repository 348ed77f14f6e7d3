package cli

import (
	"fmt"
	"io"
	"time"
)

// etaProgress shows "command: N/M unit (P%, ETA 1m2s)" on a terminal, at
// most every progressInterval, and nothing elsewhere.
type etaProgress struct {
	w       io.Writer // nil when not a terminal
	command string
	unit    string
	start   time.Time
	drawn   time.Time
}

// newETAProgress returns a progress line on w when w is a terminal, and a
// silent one otherwise.
func newETAProgress(w io.Writer, command, unit string) *etaProgress {
	p := &etaProgress{command: command, unit: unit, start: time.Now()}
	if isTerminal(w) {
		p.w = w
	}
	return p
}

// show reports done of total.
func (p *etaProgress) show(done, total int64) {
	if p.w == nil || (time.Since(p.drawn) < progressInterval && done < total) {
		return
	}
	p.drawn = time.Now()
	fmt.Fprintf(p.w, "\r\033[K%s", progressText(p.command, p.unit, done, total, time.Since(p.start)))
}

// step shows what a long run does once its count is complete (the
// preflight's steps after its last page).
func (p *etaProgress) step(name string) {
	if p.w == nil {
		return
	}
	p.drawn = time.Now()
	fmt.Fprintf(p.w, "\r\033[K%s: %s…", p.command, name)
}

// etaAfter is how long a bar runs before it shows an ETA: the first pages
// (small resources, start-up) extrapolate to nonsense ("ETA 289h33m2s"
// after 11 documents).
const etaAfter = 2 * time.Second

// progressText renders one progress line; the ETA extrapolates the rate
// so far, from etaAfter on.
func progressText(command, unit string, done, total int64, elapsed time.Duration) string {
	s := fmt.Sprintf("%s: %d/%d %s", command, done, total, unit)
	if total <= 0 {
		return s
	}
	s += fmt.Sprintf(" (%d%%", done*100/total)
	if done > 0 && done < total && elapsed >= etaAfter {
		eta := time.Duration(float64(elapsed) * float64(total-done) / float64(done)).Round(time.Second)
		s += ", ETA " + eta.String()
	}
	return s + ")"
}

// done clears the progress line.
func (p *etaProgress) done() {
	if p.w != nil && !p.drawn.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
