package manifest

import (
	"strconv"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
)

// writer appends indented JSON exactly as encoding/json's Encoder with
// SetIndent("", "  ") and SetEscapeHTML(false) would, without reflection:
// manifests of large schema sets are megabytes and written on every
// compile.
type writer struct {
	buf []byte
	// open holds, per open object or array, whether it has an element yet.
	open []bool
}

func (w *writer) begin(c byte) {
	w.buf = append(w.buf, c)
	w.open = append(w.open, false)
}

func (w *writer) end(c byte) {
	had := w.open[len(w.open)-1]
	w.open = w.open[:len(w.open)-1]
	if had {
		w.newline()
	}
	w.buf = append(w.buf, c)
}

func (w *writer) newline() {
	w.buf = append(w.buf, '\n')
	for range w.open {
		w.buf = append(w.buf, ' ', ' ')
	}
}

// item starts the next element of the innermost object or array.
func (w *writer) item() {
	top := len(w.open) - 1
	if w.open[top] {
		w.buf = append(w.buf, ',')
	}
	w.open[top] = true
	w.newline()
}

func (w *writer) key(k string) {
	w.item()
	w.str(k)
	w.buf = append(w.buf, ':', ' ')
}

func (w *writer) str(s string) { w.buf = jsonvalue.AppendString(w.buf, s) }

func (w *writer) int(n int) { w.buf = strconv.AppendInt(w.buf, int64(n), 10) }

func (w *writer) bool(b bool) { w.buf = strconv.AppendBool(w.buf, b) }

func (w *writer) strField(k, v string) {
	w.key(k)
	w.str(v)
}

func (w *writer) intField(k string, v int) {
	w.key(k)
	w.int(v)
}

func (w *writer) boolField(k string, v bool) {
	w.key(k)
	w.bool(v)
}

func (w *writer) strings(k string, vs []string) {
	w.key(k)
	if vs == nil {
		w.buf = append(w.buf, "null"...)
		return
	}
	w.begin('[')
	for _, v := range vs {
		w.item()
		w.str(v)
	}
	w.end(']')
}
