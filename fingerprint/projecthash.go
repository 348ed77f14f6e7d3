package fingerprint

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Keys removed before hashing, because OpenAPI content does not affect the
// relational mapping.
const (
	openAPIBaseDocumentsKey = "openApiBaseDocuments" // on the project
	openAPIFragmentsKey     = "openApiFragments"     // on each resourceSchemas entry
	openAPIFragmentKey      = "openApiFragment"      // on each abstractResources entry
)

// ProjectHash returns the project hash of a DMS schema component: the
// lower-case hex SHA-256 of the canonical JSON (see Canonicalize) of the
// project object (an ApiSchema file's `projectSchema`, or the single value of
// `projectSchemas` in the older format) after removing
// `openApiBaseDocuments`, every `resourceSchemas.*.openApiFragments` and every
// `abstractResources.*.openApiFragment`. The input is not modified. Nothing
// else is removed: descriptions are hashed.
func ProjectHash(project any) (string, error) {
	stripped, err := StripOpenAPI(project)
	if err != nil {
		return "", err
	}
	sum, err := canonicalHash(stripped)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum), nil
}

// canonicalHash returns SHA-256 of the canonical JSON of v, streaming the
// canonical bytes into the hash instead of building them in memory.
func canonicalHash(v any) ([]byte, error) {
	h := sha256.New()
	buf, err := appendValue(make([]byte, 0, 2*flushAt), v, h)
	if err != nil {
		var pe *pathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("fingerprint: %s: %s", pe.path(), pe.msg)
		}
		return nil, err
	}
	h.Write(buf)
	return h.Sum(nil), nil
}

// StripOpenAPI returns project without its OpenAPI payloads (see
// ProjectHash). It copies only the maps it changes and shares everything
// else with project, which it never modifies. project must be a JSON object
// (map[string]any).
func StripOpenAPI(project any) (map[string]any, error) {
	obj, ok := project.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("fingerprint: project: want a JSON object, got %T", project)
	}
	out := withoutKey(obj, openAPIBaseDocumentsKey)
	for _, group := range [...]struct{ key, drop string }{
		{"resourceSchemas", openAPIFragmentsKey},
		{"abstractResources", openAPIFragmentKey},
	} {
		entries, ok := obj[group.key].(map[string]any)
		if !ok {
			continue
		}
		copied := make(map[string]any, len(entries))
		for name, entry := range entries {
			if m, ok := entry.(map[string]any); ok {
				copied[name] = withoutKey(m, group.drop)
			} else {
				copied[name] = entry
			}
		}
		out[group.key] = copied
	}
	return out, nil
}

// withoutKey returns a shallow copy of m without key.
func withoutKey(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}
