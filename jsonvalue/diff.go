package jsonvalue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxDiffs bounds the differences [Diff] lists; further ones are summed up
// in one last line.
const MaxDiffs = 20

// maxShown bounds the length, in characters, of a value shown in a
// difference.
const maxShown = 60

// Diff lists the differences between want and got, compared like [Equal],
// one line per difference with the JSONPath where it occurs:
//
//	$.addresses[1].city: want "Austin", got "Dallas"
//	$.addresses[1].postalCode: missing (want "78701")
//	$.tags: want 2 items, got 3
//	$.tags[2]: unexpected "x"
//
// Lines come in document order with object keys sorted, so the result is
// deterministic. At most MaxDiffs lines are listed, followed by
// "... and N more differences" when there are more. Equal values give nil.
func Diff(want, got any) []string { return DiffWith(want, got, Options{}) }

// Options adjust a comparison of [DiffWith].
type Options struct {
	// FoldCase, when not nil, is asked about every pair of strings that
	// differ, with their concrete path (`$.gradeLevels[0].gradeLevelDescriptor`,
	// see [Wildcard]); when it returns true, the two compare with
	// strings.EqualFold instead. The runtime reads descriptor URIs back as
	// the descriptor stores them, and DMS resolves them case-insensitively.
	FoldCase func(path string) bool
}

// DiffWith is [Diff] adjusted by o.
func DiffWith(want, got any, o Options) []string {
	d := differ{opts: o}
	d.walk("$", want, got)
	if d.total > MaxDiffs {
		d.lines = append(d.lines, fmt.Sprintf("... and %d more differences", d.total-MaxDiffs))
	}
	return d.lines
}

// differ collects the differences of one Diff call.
type differ struct {
	opts  Options
	lines []string
	total int
}

// add records one difference, formatting it only while under the bound.
func (d *differ) add(format string, args ...any) {
	d.total++
	if d.total <= MaxDiffs {
		d.lines = append(d.lines, fmt.Sprintf(format, args...))
	}
}

func (d *differ) walk(path string, want, got any) {
	switch w := want.(type) {
	case map[string]any:
		if g, ok := got.(map[string]any); ok {
			d.objects(path, w, g)
			return
		}
	case []any:
		if g, ok := got.([]any); ok {
			d.arrays(path, w, g)
			return
		}
	}
	if ws, ok := want.(string); ok && d.opts.FoldCase != nil {
		if gs, ok := got.(string); ok && ws != gs && strings.EqualFold(ws, gs) && d.opts.FoldCase(path) {
			return
		}
	}
	if !Equal(want, got) {
		d.add("%s: want %s, got %s", path, show(want), show(got))
	}
}

func (d *differ) objects(path string, want, got map[string]any) {
	keys := make([]string, 0, len(want)+len(got))
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := appendName(path, k)
		wv, inWant := want[k]
		gv, inGot := got[k]
		switch {
		case !inGot:
			d.add("%s: missing (want %s)", p, show(wv))
		case !inWant:
			d.add("%s: unexpected %s", p, show(gv))
		default:
			d.walk(p, wv, gv)
		}
	}
}

func (d *differ) arrays(path string, want, got []any) {
	if len(want) != len(got) {
		d.add("%s: want %d items, got %d", path, len(want), len(got))
	}
	for i := 0; i < len(want) || i < len(got); i++ {
		p := appendIndex(path, i)
		switch {
		case i >= len(got):
			d.add("%s: missing (want %s)", p, show(want[i]))
		case i >= len(want):
			d.add("%s: unexpected %s", p, show(got[i]))
		default:
			d.walk(p, want[i], got[i])
		}
	}
}

// show renders v as compact JSON, shortened to maxShown characters.
func show(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	s := string(bytes.TrimRight(buf.Bytes(), "\n"))
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	r := []rune(s)
	return string(r[:maxShown]) + "…"
}
