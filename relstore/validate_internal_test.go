package relstore

import (
	"encoding/json"
	"testing"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// TestProblemCode pins the classification of the messages scalarText
// writes: a changed message must keep its code.
func TestProblemCode(t *testing.T) {
	cases := []struct {
		name string
		typ  manifest.Type
		v    any
		want string
	}{
		{"int32 above 2^31", manifest.Type{Kind: manifest.KindInt32}, json.Number("5255901001"), CodeIntegerOutOfRange},
		{"int16 below range", manifest.Type{Kind: manifest.KindInt16}, json.Number("-40000"), CodeIntegerOutOfRange},
		{"int64 beyond range", manifest.Type{Kind: manifest.KindInt64}, json.Number("99999999999999999999"), CodeIntegerOutOfRange},
		{"int32 exponent beyond range", manifest.Type{Kind: manifest.KindInt32}, json.Number("3e9"), CodeIntegerOutOfRange},
		{"fraction for an integer", manifest.Type{Kind: manifest.KindInt32}, json.Number("1.5"), CodeInvalidDocument},
		{"decimal scale", manifest.Type{Kind: manifest.KindDecimal, Precision: 5, Scale: 2}, json.Number("1.234"), CodeDecimalOutOfRange},
		{"decimal precision", manifest.Type{Kind: manifest.KindDecimal, Precision: 5, Scale: 2}, json.Number("1234.5"), CodeDecimalOutOfRange},
		{"string too long", manifest.Type{Kind: manifest.KindString, MaxLength: 3}, "abcd", CodeStringTooLong},
		{"string NUL", manifest.Type{Kind: manifest.KindString, MaxLength: 3}, "a\x00", CodeInvalidDocument},
		{"date year 0", manifest.Type{Kind: manifest.KindDate}, "0000-01-01", CodeDateOutOfRange},
		{"date-time beyond 9999 in UTC", manifest.Type{Kind: manifest.KindDateTime}, "9999-12-31T23:00:00-05:00", CodeDateOutOfRange},
		{"date-time nanoseconds", manifest.Type{Kind: manifest.KindDateTime}, "2024-01-01T00:00:00.0000001Z", CodeDateOutOfRange},
		{"time nanoseconds", manifest.Type{Kind: manifest.KindTime}, "10:00:00.0000001", CodeDateOutOfRange},
		{"bad date", manifest.Type{Kind: manifest.KindDate}, "2024-02-30", CodeInvalidDocument},
		{"boolean type", manifest.Type{Kind: manifest.KindBoolean}, "yes", CodeInvalidDocument},
	}
	for _, c := range cases {
		_, msg := scalarText(c.typ, c.v)
		if msg == "" {
			t.Errorf("%s: scalarText accepted %v", c.name, c.v)
			continue
		}
		if got := problemCode(msg); got != c.want {
			t.Errorf("%s: %q is classified %s, want %s", c.name, msg, got, c.want)
		}
	}
}
