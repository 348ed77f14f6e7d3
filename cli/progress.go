package cli

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progressLine shows "command: N/M unit" on a terminal, at most every
// progressInterval, and nothing elsewhere.
type progressLine struct {
	w       io.Writer // nil when not a terminal
	command string
	unit    string
	drawn   time.Time
}

// newProgress returns a progress line on w when w is a terminal, and a
// silent one otherwise.
func newProgress(w io.Writer, command, unit string) *progressLine {
	p := &progressLine{command: command, unit: unit}
	if isTerminal(w) {
		p.w = w
	}
	return p
}

// show reports done of total.
func (p *progressLine) show(done, total int) {
	if p.w == nil || time.Since(p.drawn) < progressInterval {
		return
	}
	p.drawn = time.Now()
	fmt.Fprintf(p.w, "\r%s: %d/%d %s", p.command, done, total, p.unit)
}

// done clears the progress line.
func (p *progressLine) done() {
	if p.w != nil && !p.drawn.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
