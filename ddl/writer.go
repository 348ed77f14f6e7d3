package ddl

import (
	"strings"

	"github.com/edfi-dmsc/dmsc/dialect"
)

// writer accumulates a script and inserts batch separators.
type writer struct {
	b   strings.Builder
	d   dialect.Dialect
	sep string
	// open reports that the current batch holds a statement; sealed that
	// it holds an OwnBatch statement, so the next statement starts anew.
	open, sealed bool
	// gap asks for an empty line before the next statement; fresh means
	// a section comment was just written.
	gap, fresh bool
}

// endBatch ends the current batch when it holds statements.
func (w *writer) endBatch() {
	if w.sep != "" && w.open {
		w.b.WriteString(w.sep)
		w.b.WriteByte('\n')
	}
	w.open, w.sealed = false, false
}

// section ends the current batch and writes a section comment.
func (w *writer) section(title string) {
	w.endBatch()
	w.b.WriteString("\n-- ")
	w.b.WriteString(title)
	w.b.WriteByte('\n')
	w.fresh, w.gap = true, false
}

// blank asks for an empty line before the next statement (between
// multi-line statements).
func (w *writer) blank() { w.gap = true }

// statement writes one statement of kind k, breaking the batch as the
// dialect requires.
func (w *writer) statement(k dialect.StatementKind, write func(*strings.Builder)) {
	own := w.d.Batch(k) == dialect.OwnBatch
	if w.sealed || (own && w.open) {
		w.endBatch()
	}
	if w.gap && !w.fresh {
		w.b.WriteByte('\n')
	}
	w.gap, w.fresh = false, false
	write(&w.b)
	w.open = true
	w.sealed = own
}
