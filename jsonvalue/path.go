package jsonvalue

import (
	"fmt"
	"strconv"
	"strings"
)

// step is one segment of a concrete JSONPath: a property name, an array
// index or the array wildcard.
type step struct {
	name     string
	index    int
	isIndex  bool
	wildcard bool
}

// appendName returns path extended by the member name: `.name` when name is
// a plain identifier, `['name']` otherwise.
func appendName(path, name string) string {
	if isPlainName(name) {
		return path + "." + name
	}
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return path + "['" + r.Replace(name) + "']"
}

// appendIndex returns path extended by the array index i.
func appendIndex(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// isPlainName reports whether name can follow a dot in a path.
func isPlainName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c != '_' && c != '-' && c != '$' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// parsePath parses `$` followed by `.name`, `['name']`, `[N]` and `[*]`
// steps.
func parsePath(p string) ([]step, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("path %q: must start with $", p)
	}
	var steps []step
	for i := 1; i < len(p); {
		switch p[i] {
		case '.':
			j := i + 1
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("path %q: empty name at offset %d", p, i)
			}
			steps = append(steps, step{name: p[i+1 : j]})
			i = j
		case '[':
			s, n, err := parseBracket(p[i:])
			if err != nil {
				return nil, fmt.Errorf("path %q at offset %d: %w", p, i, err)
			}
			steps = append(steps, s)
			i += n
		default:
			return nil, fmt.Errorf("path %q: unexpected %q at offset %d", p, p[i], i)
		}
	}
	return steps, nil
}

// parseBracket parses one `[…]` step at the start of s and returns it with
// its length.
func parseBracket(s string) (step, int, error) {
	if strings.HasPrefix(s, "[*]") {
		return step{wildcard: true}, 3, nil
	}
	if strings.HasPrefix(s, "['") {
		var b strings.Builder
		for i := 2; i < len(s); i++ {
			switch s[i] {
			case '\\':
				if i+1 == len(s) {
					return step{}, 0, fmt.Errorf("unterminated escape")
				}
				i++
				b.WriteByte(s[i])
			case '\'':
				if i+1 == len(s) || s[i+1] != ']' {
					return step{}, 0, fmt.Errorf("expected ] after quoted name")
				}
				return step{name: b.String()}, i + 2, nil
			default:
				b.WriteByte(s[i])
			}
		}
		return step{}, 0, fmt.Errorf("unterminated quoted name")
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return step{}, 0, fmt.Errorf("unterminated [")
	}
	n, err := strconv.Atoi(s[1:end])
	if err != nil || n < 0 {
		return step{}, 0, fmt.Errorf("bad index %q", s[1:end])
	}
	return step{index: n, isIndex: true}, end + 1, nil
}

// Remove deletes, in place, the object member that path names in v and
// returns how many members it removed. path is `$` followed by `.name`,
// `['name']`, `[N]` and `[*]` steps and must end with a name, e.g.
// `$.addresses[1].extra` or `$.addresses[*].extra`; steps that do not exist
// in v remove nothing (0, nil). It is how the round trip drops the
// properties the runtime reports as pruned.
func Remove(v any, path string) (int, error) {
	steps, err := parsePath(path)
	if err != nil {
		return 0, err
	}
	if len(steps) == 0 || steps[len(steps)-1].isIndex || steps[len(steps)-1].wildcard {
		return 0, fmt.Errorf("path %q: must end with a property name", path)
	}
	return remove(v, steps), nil
}

func remove(v any, steps []step) int {
	s := steps[0]
	if s.wildcard || s.isIndex {
		arr, ok := v.([]any)
		if !ok {
			return 0
		}
		if s.isIndex {
			if s.index >= len(arr) {
				return 0
			}
			return remove(arr[s.index], steps[1:])
		}
		n := 0
		for _, item := range arr {
			n += remove(item, steps[1:])
		}
		return n
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return 0
	}
	child, ok := obj[s.name]
	if !ok {
		return 0
	}
	if len(steps) == 1 {
		delete(obj, s.name)
		return 1
	}
	return remove(child, steps[1:])
}

// Wildcard returns path with every array index replaced by `[*]`:
// `$.addresses[1].periods[0].beginDate` becomes
// `$.addresses[*].periods[*].beginDate`, the form manifests use.
func Wildcard(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] == '[' {
			j := i + 1
			for j < len(path) && path[j] >= '0' && path[j] <= '9' {
				j++
			}
			if j > i+1 && j < len(path) && path[j] == ']' {
				b.WriteString("[*]")
				i = j
				continue
			}
		}
		b.WriteByte(path[i])
	}
	return b.String()
}
