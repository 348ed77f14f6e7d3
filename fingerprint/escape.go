package fingerprint

import (
	"unicode"
	"unicode/utf8"
)

// hexUpper holds the digits of the \uXXXX escapes, which .NET writes in
// upper case.
const hexUpper = "0123456789ABCDEF"

// appendString appends s as a JSON string literal escaped the way
// System.Text.Json does with JavaScriptEncoder.UnsafeRelaxedJsonEscaping:
//
//   - `"` and `\` as \" and \\;
//   - \b \t \n \f \r in their short forms;
//   - every other character that .NET does not allow as is, as an upper-case
//     \uXXXX escape: C0 and C1 controls and DEL (category Cc), Cf, Co, Cs,
//     unassigned code points (Cn), Zl, Zp and every Zs space except U+0020;
//   - every character above U+FFFF as an upper-case surrogate pair.
//
// `<`, `>`, `&`, `'`, `+`, the backtick and `/` are written as is. s must be
// valid UTF-8 (the caller checks).
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0 // s[start:i] is pending and needs no escaping
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7F && c != '"' && c != '\\' {
			i++ // printable ASCII: always written as is
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch r {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '\b':
			esc = `\b`
		case '\t':
			esc = `\t`
		case '\n':
			esc = `\n`
		case '\f':
			esc = `\f`
		case '\r':
			esc = `\r`
		default:
			if allowedUnescaped(r) {
				i += n
				continue
			}
		}
		dst = append(dst, s[start:i]...)
		if esc != "" {
			dst = append(dst, esc...)
		} else if r >= 0x10000 {
			hi, lo := utf16Pair(r)
			dst = appendUnicodeEscape(dst, hi)
			dst = appendUnicodeEscape(dst, lo)
		} else {
			dst = appendUnicodeEscape(dst, r)
		}
		i += n
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// allowedUnescaped reports whether .NET's relaxed JSON encoder writes r as
// is: U+0020 and every assigned BMP character of the letter, mark, number,
// punctuation and symbol categories. The JSON-special `"` and `\` are
// handled by the caller before this check.
func allowedUnescaped(r rune) bool {
	if r == ' ' {
		return true
	}
	if r >= 0x10000 {
		return false
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S)
}

// utf16Pair splits a supplementary character into its UTF-16 surrogates.
func utf16Pair(r rune) (hi, lo rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

// appendUnicodeEscape appends \uXXXX for the UTF-16 code unit u.
func appendUnicodeEscape(dst []byte, u rune) []byte {
	return append(dst, '\\', 'u',
		hexUpper[(u>>12)&0xF], hexUpper[(u>>8)&0xF], hexUpper[(u>>4)&0xF], hexUpper[u&0xF])
}
