package relstore

import (
	"crypto/rand"

	"github.com/edfi-dmsc/dmsc/refid"
)

// newUUID returns a random (version 4) UUID in canonical text form: a new
// DocumentUuid.
func newUUID() string {
	var u refid.UUID
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u.String()
}
