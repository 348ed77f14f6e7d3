package refid

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits of .NET's System.Decimal, which DMS parses numeric identity values
// into: at most 28 fractional digits and an unscaled value below 2^96.
const (
	maxDecimalScale  = 28
	maxDecimalDigits = "79228162514264337593543950335" // 2^96 - 1
)

// NumberValue returns the canonical text of a numeric identity value given
// as a JSON number token (json.Number text) or any decimal literal with an
// optional sign, fraction and exponent: fixed-point, no exponent, no leading
// '+', no leading zeros but a single "0" before the decimal point, no
// trailing fractional zeros or lone decimal point, and "0" for any zero.
// Examples: "1.50"→"1.5", "2.00"→"2", "1e3"→"1000", "-0.0"→"0",
// "1.23e-1"→"0.123".
//
// A value that is not a number, or that .NET's decimal cannot hold exactly
// (more than 28 fractional digits, or an unscaled value of 2^96 or more), is
// an error: DMS would keep or round such a value in ways not worth copying.
func NumberValue(text string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("refid: numeric identity value %q: %s", text, why)
	}
	s := text
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	mant, expText, hasExp := strings.Cut(s, "e")
	if !hasExp {
		mant, expText, hasExp = strings.Cut(s, "E")
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return bad("not a number")
	}
	full := intPart + frac
	digits := strings.TrimLeft(full, "0")
	exp := 0
	if hasExp {
		e, ok := parseExponent(expText)
		if !ok {
			return bad("not a number")
		}
		if digits == "" {
			return "0", nil
		}
		if e > 64 || e < -64 {
			return bad("outside the range of a .NET decimal")
		}
		exp = e
	}
	if digits == "" {
		return "0", nil
	}
	// The decimal point sits after `point` digits of `digits`.
	point := len(intPart) + exp - (len(full) - len(digits))
	digits = strings.TrimRight(digits, "0")
	if len(digits)-point > maxDecimalScale {
		return bad("more than 28 fractional digits")
	}
	unscaled := digits
	if point > len(digits) {
		unscaled += strings.Repeat("0", point-len(digits))
	}
	if len(unscaled) > len(maxDecimalDigits) ||
		len(unscaled) == len(maxDecimalDigits) && unscaled > maxDecimalDigits {
		return bad("outside the range of a .NET decimal")
	}
	var out string
	switch {
	case point <= 0:
		out = "0." + strings.Repeat("0", -point) + digits
	case point >= len(digits):
		out = unscaled
	default:
		out = digits[:point] + "." + digits[point:]
	}
	if neg {
		out = "-" + out
	}
	return out, nil
}

// allDigits reports whether s holds only ASCII digits (true for "").
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseExponent parses an optionally signed exponent, saturating values too
// large to matter.
func parseExponent(s string) (int, bool) {
	sign := 1
	if s != "" && (s[0] == '-' || s[0] == '+') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	if s == "" || !allDigits(s) {
		return 0, false
	}
	s = strings.TrimLeft(s, "0")
	if len(s) > 6 {
		return sign * 1_000_000, true
	}
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	return sign * n, true
}

// BoolValue returns the canonical text of a boolean identity value: "true"
// or "false".
func BoolValue(b bool) string {
	return strconv.FormatBool(b)
}

// Layouts of the date and time identity values.
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02T15:04:05Z"
	timeLayout     = "15:04:05"
)

// DateValue checks a date identity value (JSON schema format "date") and
// returns its canonical text, yyyy-MM-dd.
func DateValue(s string) (string, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return "", fmt.Errorf("refid: date identity value %q: want yyyy-MM-dd", s)
	}
	return t.Format(dateLayout), nil
}

// DateTimeValue returns the canonical text of a date-time identity value
// (JSON schema format "date-time"): converted to UTC and written as
// yyyy-MM-ddTHH:mm:ssZ, fractional seconds dropped, the form DMS's database
// triggers produce. A value without an offset is taken as UTC.
func DateTimeValue(s string) (string, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		var err2 error
		t, err2 = time.Parse("2006-01-02T15:04:05.999999999", s)
		if err2 != nil {
			return "", fmt.Errorf("refid: date-time identity value %q: want an RFC 3339 date-time", s)
		}
	}
	return t.UTC().Format(dateTimeLayout), nil
}

// TimeValue returns the canonical text of a time identity value (JSON
// schema format "time"): HH:mm:ss, fractional seconds dropped.
func TimeValue(s string) (string, error) {
	t, err := time.Parse("15:04:05.999999999", s)
	if err != nil {
		return "", fmt.Errorf("refid: time identity value %q: want HH:mm:ss", s)
	}
	return t.Format(timeLayout), nil
}

// Format says how a string identity value is canonicalised: kept as given,
// or as one of the JSON schema string formats date, date-time and time.
type Format int

// The formats.
const (
	AsGiven Format = iota
	Date
	DateTime
	Time
)

// Value returns the canonical identity text of a decoded JSON value (a
// json.Number, bool or string): numbers and booleans as DMS writes them,
// strings of format Date, DateTime and Time canonicalised, other strings
// kept as given. It is what Element.Value must hold.
func Value(f Format, v any) (string, error) {
	switch x := v.(type) {
	case json.Number:
		return NumberValue(x.String())
	case bool:
		return BoolValue(x), nil
	case string:
		switch f {
		case Date:
			return DateValue(x)
		case DateTime:
			return DateTimeValue(x)
		case Time:
			return TimeValue(x)
		}
		return x, nil
	}
	return "", fmt.Errorf("refid: an identity value must be a string, number or boolean, not %T", v)
}
