package runtime

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/manifest/refid"
)

var (
	timeLayouts     = []string{"15:04:05", "15:04:05.999999999"}
	dateTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"}
)

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
	case "String":
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
		return s, ""
	case "Int16", "Int32", "Int64":
		n, ok := v.(json.Number)
		if !ok {
			return "", "must be an integer"
		}
		bits := map[string]int{"Int16": 16, "Int32": 32, "Int64": 64}[t.Kind]
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
	case "Decimal":
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
	case "Boolean":
		b, ok := v.(bool)
		if !ok {
			return "", "must be a boolean"
		}
		return strconv.FormatBool(b), ""
	case "Date":
		s, ok := v.(string)
		if !ok {
			return "", "must be a date string (yyyy-mm-dd)"
		}
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return "", fmt.Sprintf("%q is not a valid date (yyyy-mm-dd)", s)
		}
		return s, ""
	case "DateTime":
		s, ok := v.(string)
		if !ok {
			return "", "must be a date-time string"
		}
		if !parsesAny(dateTimeLayouts, s) {
			return "", fmt.Sprintf("%q is not a valid date-time (RFC 3339)", s)
		}
		return s, ""
	case "Time":
		s, ok := v.(string)
		if !ok {
			return "", "must be a time string (hh:mm:ss)"
		}
		if !parsesAny(timeLayouts, s) {
			return "", fmt.Sprintf("%q is not a valid time (hh:mm:ss)", s)
		}
		return s, ""
	}
	return "", "has an unsupported type " + t.Kind
}

func parsesAny(layouts []string, s string) bool {
	for _, l := range layouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
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
func canonical(t manifest.Type, v any) (string, error) { return refid.Value(t.Kind, v) }
