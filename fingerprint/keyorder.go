package fingerprint

import (
	"slices"
	"unicode/utf8"
)

// CompareOrdinal compares a and b the way .NET's StringComparer.Ordinal does:
// by their UTF-16 code units. It differs from Go's byte order only when a
// character above U+FFFF (a surrogate pair, first unit 0xD800..0xDBFF) meets a
// character in U+E000..U+FFFF: UTF-16 sorts the surrogate pair first. Invalid
// UTF-8 bytes compare as U+FFFD. The result is -1, 0 or +1.
func CompareOrdinal(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ua, ub := firstUTF16Unit(ra), firstUTF16Unit(rb)
			if ua != ub {
				return cmpInt(ua, ub)
			}
			// Same lead unit: both are supplementary characters sharing a
			// high surrogate; the low surrogates follow code point order.
			return cmpInt(ra, rb)
		}
		a, b = a[na:], b[nb:]
	}
	return cmpInt(len(a), len(b))
}

// firstUTF16Unit returns the first UTF-16 code unit of r.
func firstUTF16Unit(r rune) rune {
	if r < 0x10000 {
		return r
	}
	return 0xD800 + ((r - 0x10000) >> 10)
}

// cmpInt returns -1, 0 or +1 as a is less than, equal to or greater than b.
func cmpInt[T ~int | ~int16 | ~int32](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortedKeys returns the keys of m in ordinal (UTF-16) order. When no key
// holds a character at or above U+E000 (UTF-8 lead byte 0xEE or higher),
// UTF-16 order equals byte order and the faster byte sort is used.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	byteOrder := true
	for k := range m {
		keys = append(keys, k)
		if byteOrder && hasHighChar(k) {
			byteOrder = false
		}
	}
	if byteOrder {
		slices.Sort(keys)
	} else {
		slices.SortFunc(keys, CompareOrdinal)
	}
	return keys
}

// hasHighChar reports whether s holds a byte that starts a character at or
// above U+E000, where UTF-16 and UTF-8 orders may disagree.
func hasHighChar(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xEE {
			return true
		}
	}
	return false
}
