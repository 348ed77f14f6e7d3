package relstore

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/refid"
)

// The lexical forms of JSON schema's date, time and date-time (RFC 3339,
// the offset optional on date-time: a value without one is UTC).
var (
	dateForm     = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	timeForm     = regexp.MustCompile(`^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?$`)
	dateTimeForm = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})?$`)
	// numberForm is a JSON number.
	numberForm = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
)

// The instants the store keeps exactly: PostgreSQL's date, time and
// timestamptz hold microseconds, and dates are read back as four-digit
// years, so a value outside 0001-01-01 … 9999-12-31 (a date-time once
// converted to UTC) or with a non-zero digit past the sixth fractional one
// would come back as another value. Such values are refused, never
// rounded.
const (
	minYear = 1
	maxYear = 9999
	// utcLayout writes a date-time in UTC with up to six fractional digits.
	utcLayout = "2006-01-02T15:04:05.999999Z"
)

// subMicro reports a non-zero fractional digit past the sixth.
func subMicro(s string) bool {
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return false
	}
	j := i + 1
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	return j-(i+1) > 6 && strings.Trim(s[i+7:j], "0") != ""
}

// scalar validates one JSON value against its logical type (and the
// column's facets when col is set) and returns the text the database
// receives.
func (f *flat) scalar(t manifest.Type, col *colPlan, v any, path string) (string, bool) {
	text, msg := scalarText(t, v)
	if msg == "" && col != nil && col.c.Validation != nil {
		msg = checkFacets(col, v, text)
	}
	if msg != "" {
		f.problem(path, "%s", msg)
		return "", false
	}
	return text, true
}

func scalarText(t manifest.Type, v any) (string, string) {
	switch t.Kind {
	case manifest.KindString:
		s, ok := v.(string)
		if !ok {
			return "", "must be a string"
		}
		if t.MaxLength > 0 && utf8.RuneCountInString(s) > t.MaxLength {
			return "", fmt.Sprintf("is longer than %d characters", t.MaxLength)
		}
		if strings.IndexByte(s, 0) >= 0 {
			return "", "must not contain NUL characters"
		}
		if !utf8.ValidString(s) {
			return "", "is not valid UTF-8"
		}
		return s, ""
	case manifest.KindInt16, manifest.KindInt32, manifest.KindInt64:
		n, ok := v.(json.Number)
		if !ok {
			return "", "must be an integer"
		}
		bits := t.Kind.Bits()
		i, err := strconv.ParseInt(string(n), 10, bits)
		if err != nil {
			r, ok := new(big.Rat).SetString(string(n))
			if !ok || !r.IsInt() {
				return "", "must be an integer"
			}
			if !r.Num().IsInt64() {
				return "", fmt.Sprintf("is out of range for a %d-bit integer", bits)
			}
			i = r.Num().Int64()
			if i2, err := strconv.ParseInt(strconv.FormatInt(i, 10), 10, bits); err != nil || i2 != i {
				return "", fmt.Sprintf("is out of range for a %d-bit integer", bits)
			}
		}
		return strconv.FormatInt(i, 10), ""
	case manifest.KindDecimal:
		n, ok := v.(json.Number)
		if !ok {
			return "", "must be a number"
		}
		r, ok := new(big.Rat).SetString(string(n))
		if !ok {
			return "", "must be a number"
		}
		if t.Precision > 0 {
			scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.Scale)), nil)))
			if !scaled.IsInt() {
				return "", fmt.Sprintf("has more than %d decimal places", t.Scale)
			}
			limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.Precision)), nil)
			if new(big.Int).Abs(scaled.Num()).Cmp(limit) >= 0 {
				return "", fmt.Sprintf("does not fit %d digits with %d decimal places", t.Precision, t.Scale)
			}
			return r.FloatString(t.Scale), ""
		}
		return string(n), ""
	case manifest.KindBoolean:
		b, ok := v.(bool)
		if !ok {
			return "", "must be a boolean"
		}
		return strconv.FormatBool(b), ""
	case manifest.KindDate:
		s, ok := v.(string)
		if !ok {
			return "", "must be a date string (yyyy-mm-dd)"
		}
		d, err := time.Parse("2006-01-02", s)
		if err != nil || !dateForm.MatchString(s) {
			return "", fmt.Sprintf("%s is not a valid date (yyyy-mm-dd)", quoteShort(s))
		}
		if d.Year() < minYear {
			return "", fmt.Sprintf("%s is before 0001-01-01", quoteShort(s))
		}
		return s, ""
	case manifest.KindDateTime:
		s, ok := v.(string)
		if !ok {
			return "", "must be a date-time string"
		}
		return dateTimeText(s)
	case manifest.KindTime:
		s, ok := v.(string)
		if !ok {
			return "", "must be a time string (hh:mm:ss)"
		}
		if _, err := time.Parse("15:04:05.999999999", s); err != nil || !timeForm.MatchString(s) {
			return "", fmt.Sprintf("%s is not a valid time (hh:mm:ss)", quoteShort(s))
		}
		if subMicro(s) {
			return "", fmt.Sprintf("%s has a non-zero digit past microseconds, which the store would round", quoteShort(s))
		}
		return s, ""
	}
	return "", "has an unsupported type " + string(t.Kind)
}

// dateTimeText validates a date-time and returns it in UTC (a value
// without an offset is UTC), so what is stored does not depend on the
// database session's time zone and reads back as the same instant.
func dateTimeText(s string) (string, string) {
	if !dateTimeForm.MatchString(s) {
		return "", fmt.Sprintf("%s is not a valid date-time (RFC 3339, e.g. 2024-03-01T10:15:30Z)", quoteShort(s))
	}
	layout := time.RFC3339Nano
	if !strings.HasSuffix(s, "Z") && !strings.ContainsAny(s[len("2006-01-02T15:04:05"):], "+-") {
		layout = "2006-01-02T15:04:05.999999999"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return "", fmt.Sprintf("%s is not a valid date-time (RFC 3339, e.g. 2024-03-01T10:15:30Z)", quoteShort(s))
	}
	if subMicro(s) {
		return "", fmt.Sprintf("%s has a non-zero digit past microseconds, which the store would round", quoteShort(s))
	}
	u := t.UTC()
	if u.Year() < minYear || u.Year() > maxYear {
		return "", fmt.Sprintf("%s is outside 0001-01-01T00:00:00Z … 9999-12-31T23:59:59.999999Z once converted to UTC", quoteShort(s))
	}
	return u.Format(utcLayout), ""
}

// checkFacets checks minLength, pattern, enum, minimum and maximum.
func checkFacets(col *colPlan, v any, text string) string {
	val := col.c.Validation
	if s, ok := v.(string); ok {
		if val.MinLength > 0 && utf8.RuneCountInString(s) < val.MinLength {
			return fmt.Sprintf("is shorter than %d characters", val.MinLength)
		}
		if col.re != nil && !col.re.MatchString(s) {
			return fmt.Sprintf("does not match the pattern %s", val.Pattern)
		}
		if len(val.Enum) > 0 {
			found := false
			for _, e := range val.Enum {
				found = found || e == s
			}
			if !found {
				return "is not one of " + strings.Join(val.Enum, ", ")
			}
		}
	}
	if _, ok := v.(json.Number); ok && (val.Minimum != "" || val.Maximum != "") {
		x, ok := new(big.Rat).SetString(text)
		if !ok {
			return ""
		}
		if lo, ok := new(big.Rat).SetString(val.Minimum); ok && val.Minimum != "" && x.Cmp(lo) < 0 {
			return "is less than the minimum " + val.Minimum
		}
		if hi, ok := new(big.Rat).SetString(val.Maximum); ok && val.Maximum != "" && x.Cmp(hi) > 0 {
			return "is greater than the maximum " + val.Maximum
		}
	}
	return ""
}

// canonical returns the identity text of a value as DMS hashes it.
func canonical(t manifest.Type, v any) (string, error) {
	return refid.Value(t.Kind.IdentityFormat(), v)
}

// quoteShort quotes a client's value for a message, cut to 64 characters
// (a message must not echo an unbounded value).
func quoteShort(s string) string {
	const max = 64
	if utf8.RuneCountInString(s) <= max {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return strconv.Quote(string(r[:max])) + "…"
}
