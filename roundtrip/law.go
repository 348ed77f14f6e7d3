package roundtrip

import (
	"fmt"
	"time"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
)

// MetadataKeys are the properties GET adds to a stored document.
var MetadataKeys = []string{"id", "_etag", "_lastModifiedDate"}

// Compare checks the round trip law for one document: input is
// the document as written (decoded by jsonvalue.Decode; it is modified),
// pruned the paths the write reported as pruned, id the DocumentUuid it
// returned and got the GET body. It returns the differences, none when the
// law holds: got must carry id (equal to id), _etag and _lastModifiedDate
// (an RFC 3339 date-time), and without them equal the input after removing
// the pruned properties and normalising (jsonvalue.Normalize). got itself
// is not normalised, so a GET body holding a null or an empty array
// differs.
//
// Strings at the wildcard paths in descriptors (see Descriptors)
// compare case-insensitively:
// descriptor URIs resolve case-insensitively (as in DMS), and GET returns
// the URI the descriptor holds, which a later POST of the same descriptor
// with other letter case may have changed.
func Compare(input any, pruned []string, id string, got []byte, descriptors map[string]bool) []string {
	var diffs []string
	for _, p := range pruned {
		if _, err := jsonvalue.Remove(input, p); err != nil {
			diffs = append(diffs, fmt.Sprintf("the write reported an unusable pruned path: %v", err))
		}
	}
	want := jsonvalue.Normalize(input)
	body, err := jsonvalue.Decode(got)
	if err != nil {
		return append(diffs, fmt.Sprintf("$: the GET body is not JSON: %v", err))
	}
	obj, ok := body.(map[string]any)
	if !ok {
		return append(diffs, fmt.Sprintf("$: the GET body is not a JSON object: %.80s", got))
	}
	for _, k := range MetadataKeys {
		v, present := obj[k]
		s, isString := v.(string)
		switch {
		case !present:
			diffs = append(diffs, fmt.Sprintf("$.%s: missing (GET must add it)", k))
		case !isString || s == "":
			diffs = append(diffs, fmt.Sprintf("$.%s: want a non-empty string, got %v", k, v))
		case k == "id" && s != id:
			diffs = append(diffs, fmt.Sprintf("$.id: want %q (the id the write returned), got %q", id, s))
		case k == "_lastModifiedDate":
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				diffs = append(diffs, fmt.Sprintf("$._lastModifiedDate: want an RFC 3339 date-time, got %q", s))
			}
		}
	}
	opts := jsonvalue.Options{FoldCase: func(path string) bool { return descriptors[jsonvalue.Wildcard(path)] }}
	return append(diffs, jsonvalue.DiffWith(want, jsonvalue.StripKeys(body, MetadataKeys...), opts)...)
}
