package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"
)

// Limit is an identifier length rule (each dialect package gives its own).
type Limit struct {
	// MaxBytes is the limit in UTF-8 bytes (PostgreSQL), or 0.
	MaxBytes int
	// MaxChars is the limit in UTF-16 code units (SQL Server), or 0.
	MaxChars int
}

// hashLen is the number of hex characters of the SHA-256 suffix.
const hashLen = 10

// Fits reports whether name is within the limit.
func (l Limit) Fits(name string) bool {
	return l.measure(name) <= l.max()
}

func (l Limit) max() int {
	if l.MaxBytes > 0 {
		return l.MaxBytes
	}
	return l.MaxChars
}

func (l Limit) measure(s string) int {
	if l.MaxBytes > 0 {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n += utf16Len(r)
	}
	return n
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// Shorten returns name unchanged when it fits; otherwise the longest prefix
// of name that fits in (limit − 11) (UTF-8 bytes for PostgreSQL, UTF-16
// code units for SQL Server), never splitting a character, then `_`
// and the first 10 hex characters of SHA-256(hashInput). Table and column
// names hash themselves (hashInput = name); constraints hash a signature
// (see Signature) so that equal prefixes of different constraints differ.
func (l Limit) Shorten(name, hashInput string) string {
	if l.Fits(name) {
		return name
	}
	budget := l.max() - hashLen - 1
	prefix := prefixWithin(name, budget, l.MaxBytes > 0)
	return prefix + "_" + HashSuffix(hashInput)
}

// HashSuffix is the first 10 lowercase hex characters of SHA-256(s).
func HashSuffix(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:hashLen]
}

func prefixWithin(s string, budget int, bytes bool) string {
	used := 0
	for i, r := range s {
		w := utf16Len(r)
		if bytes {
			w = utf8.RuneLen(r)
		}
		if used+w > budget {
			return s[:i]
		}
		used += w
	}
	return s
}
