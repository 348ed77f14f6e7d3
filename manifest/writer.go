package manifest

import (
	"strconv"
	"unicode/utf8"
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

func (w *writer) str(s string) { w.buf = appendJSONString(w.buf, s) }

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

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping off:
// `"` and `\` escaped, \b \f \n \r \t short, other controls as \u00xx,
// U+2028 and U+2029 escaped, invalid UTF-8 as \ufffd.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += n
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += n
			start = i
			continue
		}
		i += n
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
