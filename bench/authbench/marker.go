package authbench

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// DatabaseName is the name of the database that holds scale s's data
// between runs.
func DatabaseName(s Scale) string { return "dmsc_authbench_" + s.Name }

// Marker identifies what a loaded database holds: the generator version,
// the scale and a fingerprint of the runtime manifest and DDL script it
// was provisioned with. A database whose stored marker differs is
// rebuilt. The marker holds letters, digits, spaces, '-' and ':' only.
func Marker(s Scale, manifestJSON []byte, script string) string {
	h := sha256.New()
	h.Write(manifestJSON)
	h.Write([]byte{0})
	h.Write([]byte(script))
	return fmt.Sprintf("%s scale:%s-%d-%d-%d schema:%s", GeneratorVersion, s.Name, s.LEAs, s.SchoolsPerLEA,
		s.StudentsPerSchool, hex.EncodeToString(h.Sum(nil))[:32])
}
