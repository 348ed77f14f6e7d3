package apischema

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/jsonpath"
)

// Diagnostic codes reported by this package. They are stable: scripts and
// golden files depend on them.
const (
	CodeReadFailed         = "read-failed"
	CodeInvalidJSON        = "invalid-json"
	CodeMissingKey         = "missing-key"
	CodeWrongType          = "wrong-type"
	CodeBadValue           = "bad-value"
	CodeNoProject          = "no-project"
	CodeManyProjects       = "many-projects"
	CodeBadJSONPath        = "bad-jsonpath"
	CodeUnsupportedSchema  = "unsupported-schema"
	CodeVersionMismatch    = "version-mismatch"
	CodeDuplicateEndpoint  = "duplicate-endpoint"
	CodeDuplicateProject   = "duplicate-project-name"
	CodeNoCore             = "no-core-project"
	CodeManyCores          = "many-core-projects"
	CodeUnknownExtended    = "unknown-extended-resource"
	CodeUnknownExtProject  = "unknown-ext-project"
	CodeExtOutsideExt      = "extension-outside-ext"
	CodeBadInsertion       = "bad-insertion-location"
	CodeUnknownRefTarget   = "unknown-reference-target"
	CodeUnknownSuperclass  = "unknown-superclass"
	CodeDuplicateResource  = "duplicate-resource"
	CodeOlderFormat        = "older-format"
	CodeMissingOptionalKey = "missing-optional-key"
	CodeIgnoredRequired    = "extension-required-ignored"
	CodeIgnoredConstraint  = "extension-core-constraint-ignored"
)

// reader walks a decoded JSON value and records typed-access problems.
type reader struct {
	file  string
	diags *diag.List
}

// keyPath appends an object key to a JSONPath, bracket-quoting keys that are
// not plain names.
func keyPath(base, key string) string {
	plain := key != ""
	for i := 0; i < len(key); i++ {
		if !jsonpath.IsNameByte(key[i]) {
			plain = false
			break
		}
	}
	if plain {
		return base + "." + key
	}
	return base + "['" + strings.ReplaceAll(key, "'", `\'`) + "']"
}

func indexPath(base string, i int) string { return base + "[" + strconv.Itoa(i) + "]" }

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	}
	return "unknown"
}

func (r *reader) wrongType(path, want string, got any) {
	r.diags.Errorf(r.file, path, CodeWrongType, "expected %s, found %s", want, typeName(got))
}

// obj returns v as an object, reporting a wrong type.
func (r *reader) obj(v any, path string) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		r.wrongType(path, "object", v)
	}
	return m, ok
}

// field fetches key from m; required keys that are absent are reported.
func (r *reader) field(m map[string]any, base, key string, required bool) (any, bool) {
	v, ok := m[key]
	if !ok {
		if required {
			r.diags.Errorf(r.file, base, CodeMissingKey, "required key %q is missing", key)
		}
		return nil, false
	}
	return v, true
}

func (r *reader) str(m map[string]any, base, key string, required bool) string {
	v, ok := r.field(m, base, key, required)
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.wrongType(keyPath(base, key), "string", v)
	}
	return s
}

func (r *reader) boolean(m map[string]any, base, key string, required bool) (val, present bool) {
	v, ok := r.field(m, base, key, required)
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		r.wrongType(keyPath(base, key), "boolean", v)
		return false, false
	}
	return b, true
}

func (r *reader) integer(m map[string]any, base, key string, required bool) (int, bool) {
	v, ok := r.field(m, base, key, required)
	if !ok {
		return 0, false
	}
	n, ok := v.(json.Number)
	if !ok {
		r.wrongType(keyPath(base, key), "integer", v)
		return 0, false
	}
	i, err := strconv.Atoi(string(n))
	if err != nil || i < 0 {
		r.diags.Errorf(r.file, keyPath(base, key), CodeBadValue, "expected a non-negative integer, found %s", n)
		return 0, false
	}
	return i, true
}

func (r *reader) array(m map[string]any, base, key string, required bool) ([]any, bool) {
	v, ok := r.field(m, base, key, required)
	if !ok {
		return nil, false
	}
	a, ok := v.([]any)
	if !ok {
		r.wrongType(keyPath(base, key), "array", v)
	}
	return a, ok
}

func (r *reader) object(m map[string]any, base, key string, required bool) (map[string]any, bool) {
	v, ok := r.field(m, base, key, required)
	if !ok {
		return nil, false
	}
	return r.obj(v, keyPath(base, key))
}

func (r *reader) strings(m map[string]any, base, key string, required bool) []string {
	a, ok := r.array(m, base, key, required)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			r.wrongType(indexPath(keyPath(base, key), i), "string", e)
			continue
		}
		out = append(out, s)
	}
	return out
}

// jsonPath parses a restricted JSONPath value, reporting bad grammar.
func (r *reader) jsonPath(s, path string) (jsonpath.Path, bool) {
	p, err := jsonpath.Parse(s)
	if err != nil {
		r.diags.Errorf(r.file, path, CodeBadJSONPath, "%v", err)
		return jsonpath.Path{}, false
	}
	return p, true
}

func (r *reader) jsonPaths(m map[string]any, base, key string, required bool) []jsonpath.Path {
	a, ok := r.array(m, base, key, required)
	if !ok {
		return nil
	}
	out := make([]jsonpath.Path, 0, len(a))
	for i, e := range a {
		ip := indexPath(keyPath(base, key), i)
		s, ok := e.(string)
		if !ok {
			r.wrongType(ip, "string", e)
			continue
		}
		if p, ok := r.jsonPath(s, ip); ok {
			out = append(out, p)
		}
	}
	return out
}

// sortedKeys returns the keys of m in byte order (never range over a map to
// produce output).
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
