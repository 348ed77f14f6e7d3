package jsonvalue

import (
	"encoding/json"
	"math/big"
	"strconv"
)

// decimal is the exact value of a JSON number in canonical form:
// (-1)^neg × 0.digits × 10^exp, digits without leading or trailing zeros.
// Zero has no digits (and neg false), so -0 equals 0.
type decimal struct {
	neg    bool
	digits string
	exp    *big.Int
}

// parseNumber returns the exact value of a JSON number text; ok is false
// when s is not a number in JSON syntax (or Go's looser float syntax).
func parseNumber(s string) (decimal, bool) {
	d := decimal{exp: new(big.Int)}
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		d.neg = s[i] == '-'
		i++
	}
	var mant []byte
	point := -1 // number of mantissa digits before the point
	seen := false
mantissa:
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			mant = append(mant, c)
			seen = true
		case c == '.' && point < 0:
			point = len(mant)
		default:
			break mantissa
		}
	}
	if !seen {
		return decimal{}, false
	}
	if point < 0 {
		point = len(mant)
	}
	e := new(big.Int)
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return decimal{}, false
		}
		rest := s[i+1:]
		if rest == "" {
			return decimal{}, false
		}
		if rest[0] == '+' {
			rest = rest[1:]
		}
		for j := 0; j < len(rest); j++ {
			if (rest[j] < '0' || rest[j] > '9') && !(j == 0 && rest[j] == '-') {
				return decimal{}, false
			}
		}
		if _, ok := e.SetString(rest, 10); !ok {
			return decimal{}, false
		}
	}
	// Strip leading zeros (moving the point) and trailing zeros.
	lead := 0
	for lead < len(mant) && mant[lead] == '0' {
		lead++
	}
	mant = mant[lead:]
	point -= lead
	end := len(mant)
	for end > 0 && mant[end-1] == '0' {
		end--
	}
	mant = mant[:end]
	if len(mant) == 0 {
		return decimal{exp: new(big.Int)}, true
	}
	d.digits = string(mant)
	d.exp = e.Add(e, big.NewInt(int64(point)))
	return d, true
}

// equal reports whether two canonical decimals are the same number.
func (d decimal) equal(o decimal) bool {
	return d.neg == o.neg && d.digits == o.digits && d.exp.Cmp(o.exp) == 0
}

// numberText returns the JSON text of a number value and whether v is a
// number at all.
func numberText(v any) (string, bool) {
	switch n := v.(type) {
	case json.Number:
		return string(n), true
	case float64:
		return strconv.FormatFloat(n, 'g', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(n), 'g', -1, 32), true
	case int:
		return strconv.FormatInt(int64(n), 10), true
	case int8:
		return strconv.FormatInt(int64(n), 10), true
	case int16:
		return strconv.FormatInt(int64(n), 10), true
	case int32:
		return strconv.FormatInt(int64(n), 10), true
	case int64:
		return strconv.FormatInt(n, 10), true
	case uint:
		return strconv.FormatUint(uint64(n), 10), true
	case uint8:
		return strconv.FormatUint(uint64(n), 10), true
	case uint16:
		return strconv.FormatUint(uint64(n), 10), true
	case uint32:
		return strconv.FormatUint(uint64(n), 10), true
	case uint64:
		return strconv.FormatUint(n, 10), true
	}
	return "", false
}

// numbersEqual compares two number texts exactly; texts that are not
// numbers compare as strings.
func numbersEqual(a, b string) bool {
	if a == b {
		return true
	}
	da, okA := parseNumber(a)
	db, okB := parseNumber(b)
	if !okA || !okB {
		return false
	}
	return da.equal(db)
}
