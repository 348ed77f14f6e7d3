package fingerprint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
)

// Canonicalize returns the canonical JSON form of v, byte-compatible with the
// DMS canonical serializer: minified; object keys sorted recursively in
// ordinal (UTF-16 code unit) order, see CompareOrdinal; arrays in their
// order; numbers as the exact json.Number text; strings escaped as .NET's
// System.Text.Json does with the relaxed encoder: \" \\ \b \t \n \f \r in
// short form, other controls, DEL, format, private-use, unassigned,
// line/paragraph separator and non-ASCII space characters as upper-case
// \uXXXX, characters above U+FFFF as upper-case surrogate pairs, and
// everything else (including < > & ' + and the backtick) as is.
//
// v must be built from map[string]any, []any, json.Number, string, bool and
// nil, as encoding/json produces with Decoder.UseNumber. Any other type, an
// invalid number token or a string (or key) that is not valid UTF-8 is an
// error; a float64 in particular is refused because its source text is lost.
func Canonicalize(v any) ([]byte, error) {
	buf, err := appendValue(make([]byte, 0, 1<<16), v, nil)
	if err != nil {
		var pe *pathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("fingerprint: %s: %s", pe.path(), pe.msg)
		}
		return nil, err
	}
	return buf, nil
}

// CanonicalizeJSON parses data (exactly one JSON value, numbers kept as their
// source text) and returns its canonical form, see Canonicalize. Invalid
// UTF-8 inside strings is replaced by U+FFFD, as encoding/json does.
func CanonicalizeJSON(data []byte) ([]byte, error) {
	v, err := DecodeJSON(data)
	if err != nil {
		return nil, err
	}
	return Canonicalize(v)
}

// DecodeJSON parses data, which must hold exactly one JSON value, into the
// kind of value Canonicalize expects (jsonvalue.Decode: numbers keep their
// source text).
func DecodeJSON(data []byte) (any, error) {
	v, err := jsonvalue.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("fingerprint: parse JSON: %w", err)
	}
	return v, nil
}

// pathError is an error inside a value; segs holds the JSONPath segments
// from the failing node up to the root (innermost first), added while the
// recursion unwinds so that the happy path builds no paths.
type pathError struct {
	segs []string
	msg  string
}

// Error returns the message with its JSONPath.
func (e *pathError) Error() string { return e.path() + ": " + e.msg }

// path returns the JSONPath of the failing node.
func (e *pathError) path() string {
	var b strings.Builder
	b.WriteString("$")
	for i := len(e.segs) - 1; i >= 0; i-- {
		b.WriteString(e.segs[i])
	}
	return b.String()
}

// within adds the segment seg (of the parent) to err's path.
func within(err error, seg string) error {
	var pe *pathError
	if errors.As(err, &pe) {
		pe.segs = append(pe.segs, seg)
		return pe
	}
	return err
}

// flushAt is the buffer size at which appendValue hands its output to a
// streaming sink.
const flushAt = 32 << 10

// flush writes dst to sink and empties it once it has grown past flushAt;
// with no sink it returns dst unchanged.
func flush(dst []byte, sink io.Writer) []byte {
	if sink == nil || len(dst) < flushAt {
		return dst
	}
	sink.Write(dst) // hash.Hash writes never fail
	return dst[:0]
}

// appendValue appends the canonical form of v. With a sink, finished output
// is streamed into it as the buffer fills (see canonicalHash).
func appendValue(dst []byte, v any, sink io.Writer) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		if x {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case string:
		if !utf8.ValidString(x) {
			return nil, &pathError{msg: "string is not valid UTF-8"}
		}
		return appendString(dst, x), nil
	case json.Number:
		if !jsonvalue.ValidNumber(string(x)) {
			return nil, &pathError{msg: fmt.Sprintf("invalid JSON number %q", string(x))}
		}
		return append(dst, x...), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			dst, err = appendValue(dst, e, sink)
			if err != nil {
				return nil, within(err, "["+strconv.Itoa(i)+"]")
			}
			dst = flush(dst, sink)
		}
		return append(dst, ']'), nil
	case map[string]any:
		dst = append(dst, '{')
		for i, k := range sortedKeys(x) {
			if !utf8.ValidString(k) {
				return nil, &pathError{msg: fmt.Sprintf("key %q is not valid UTF-8", k)}
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k)
			dst = append(dst, ':')
			var err error
			dst, err = appendValue(dst, x[k], sink)
			if err != nil {
				return nil, within(err, "."+k)
			}
			dst = flush(dst, sink)
		}
		return append(dst, '}'), nil
	default:
		return nil, &pathError{msg: fmt.Sprintf("unsupported type %T (decode with Decoder.UseNumber)", v)}
	}
}
