package migratebench

import (
	"fmt"
	"os"
	"strings"
)

// Scale is how many copies of the DS 5.0 corpus the legacy database holds.
type Scale struct {
	// Name names the scale and its database.
	Name string
	// Copies is the number of copies: copy 0 is the corpus as it is (818
	// legacy documents), each further copy adds its 655 documents that are
	// not descriptors or SchoolYearTypes, with new identities.
	Copies int
}

// The scales: Full holds 110,858 legacy documents of which 100,042 can be
// migrated (the issue asks for ≥ 100,000); Smoke, the default, is the
// corpus alone, for `make bench-smoke`.
var (
	Full  = Scale{Name: "full", Copies: 169}
	Smoke = Scale{Name: "smoke", Copies: 1}
)

// ScaleEnv selects the scale: "full" (what `make bench` sets) or "smoke"
// (the default).
const ScaleEnv = "DMSC_MIGRATEBENCH_SCALE"

// ScaleFromEnv returns the scale ScaleEnv names (Smoke when unset).
func ScaleFromEnv() (Scale, error) {
	v := strings.TrimSpace(os.Getenv(ScaleEnv))
	switch strings.ToLower(v) {
	case "", Smoke.Name:
		return Smoke, nil
	case Full.Name:
		return Full, nil
	}
	return Scale{}, fmt.Errorf("%s=%q: want %s or %s", ScaleEnv, v, Full.Name, Smoke.Name)
}

// String describes the scale for logs.
func (s Scale) String() string {
	return fmt.Sprintf("%s (%d copies of the DS 5.0 corpus)", s.Name, s.Copies)
}
