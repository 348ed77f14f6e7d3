package refid

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
)

// UUID is an RFC 4122 UUID in its network (big-endian) byte order.
type UUID [16]byte

// Namespace is the Ed-Fi UUIDv5 namespace of ReferentialIds,
// edf1edf1-3df1-3df1-3df1-3df1edf1edf1.
var Namespace = UUID{
	0xed, 0xf1, 0xed, 0xf1, 0x3d, 0xf1, 0x3d, 0xf1,
	0x3d, 0xf1, 0x3d, 0xf1, 0xed, 0xf1, 0xed, 0xf1,
}

// NewV5 returns the version 5 (SHA-1, name-based) UUID of name in the
// namespace ns, as RFC 4122 section 4.3 defines it.
func NewV5(ns UUID, name string) UUID {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u UUID
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

// String returns u in the lower-case 8-4-4-4-12 hex form.
func (u UUID) String() string {
	var buf [36]byte
	encodeHex(buf[:], u)
	return string(buf[:])
}

// encodeHex writes the 36-byte text form of u into dst.
func encodeHex(dst []byte, u UUID) {
	hex.Encode(dst[0:8], u[0:4])
	dst[8] = '-'
	hex.Encode(dst[9:13], u[4:6])
	dst[13] = '-'
	hex.Encode(dst[14:18], u[6:8])
	dst[18] = '-'
	hex.Encode(dst[19:23], u[8:10])
	dst[23] = '-'
	hex.Encode(dst[24:36], u[10:16])
}

// Parse parses the 8-4-4-4-12 hex form of a UUID, in either case.
func Parse(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("refid: invalid UUID %q: want the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
	}
	groups := [...]struct{ text, bytes int }{{0, 0}, {9, 4}, {14, 6}, {19, 8}, {24, 10}}
	ends := [...]int{8, 13, 18, 23, 36}
	for i, g := range groups {
		if _, err := hex.Decode(u[g.bytes:], []byte(s[g.text:ends[i]])); err != nil {
			return UUID{}, fmt.Errorf("refid: invalid UUID %q: %w", s, err)
		}
	}
	return u, nil
}

// MarshalText returns the String form of u.
func (u UUID) MarshalText() ([]byte, error) {
	buf := make([]byte, 36)
	encodeHex(buf, u)
	return buf, nil
}

// UnmarshalText parses text with Parse.
func (u *UUID) UnmarshalText(text []byte) error {
	parsed, err := Parse(string(text))
	if err != nil {
		return err
	}
	*u = parsed
	return nil
}
