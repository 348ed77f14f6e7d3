package jsonvalue

// Normalize returns v as the round trip law compares it: object members
// that are null, empty arrays or empty objects (after normalising their own
// contents) are removed, at every depth; array items are kept, in order,
// each normalised. The keys in strip are then removed from the root object
// only (metadata such as "id", "_etag" and "_lastModifiedDate"). v is not
// modified; the result shares no maps or slices with it. Normalize is
// idempotent.
func Normalize(v any, strip ...string) any {
	n := normalize(v)
	if len(strip) == 0 {
		return n
	}
	if m, ok := n.(map[string]any); ok {
		for _, k := range strip {
			delete(m, k)
		}
	}
	return n
}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, xv := range x {
			n := normalize(xv)
			if !isEmpty(n) {
				out[k] = n
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, xv := range x {
			out[i] = normalize(xv)
		}
		return out
	}
	return v
}

// isEmpty reports whether an object member is dropped by normalisation.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// StripKeys returns a shallow copy of the root object v without the given
// keys; any other value is returned as is. Nested values are shared, not
// copied, and nothing else is normalised, so a comparison stays strict about
// what the rest of v holds.
func StripKeys(v any, keys ...string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(m))
	for k, mv := range m {
		out[k] = mv
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}
