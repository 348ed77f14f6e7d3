package migrate

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
)

// maxValueLength caps a reported value (a report must not echo an
// unbounded string).
const maxValueLength = 64

// valueAt returns the JSON text of the value at a concrete path
// (`$.a.b[1].c`, as the runtime reports problems) in body, cut to
// maxValueLength characters; "" when the path does not name one value.
func valueAt(body []byte, path string) string {
	doc, err := jsonvalue.Decode(body)
	if err != nil || !strings.HasPrefix(path, "$") {
		return ""
	}
	cur := doc
	rest := path[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			name := rest[1 : end+1]
			rest = rest[end+1:]
			obj, ok := cur.(map[string]any)
			if !ok {
				return ""
			}
			if cur, ok = obj[name]; !ok {
				return ""
			}
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return ""
			}
			i, err := strconv.Atoi(rest[1:end])
			rest = rest[end+1:]
			arr, ok := cur.([]any)
			if err != nil || !ok || i < 0 || i >= len(arr) {
				return ""
			}
			cur = arr[i]
		default:
			return ""
		}
	}
	text, err := json.Marshal(cur)
	if err != nil {
		return ""
	}
	return cut(string(text))
}

// cut shortens s to maxValueLength characters, marking the cut with "…".
func cut(s string) string {
	if utf8.RuneCountInString(s) <= maxValueLength {
		return s
	}
	return string([]rune(s)[:maxValueLength]) + "…"
}
