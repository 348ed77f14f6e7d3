package authbench

import (
	"fmt"
	"os"
	"strings"
)

// Scale is how much data the generator writes: one StateEducationAgency,
// LEAs local education agencies, SchoolsPerLEA schools under each and
// StudentsPerSchool students per school, each student with one
// StudentSchoolAssociation.
type Scale struct {
	// Name names the scale and its database (dmsc_authbench_<Name>).
	Name string
	// LEAs is the number of local education agencies.
	LEAs int
	// SchoolsPerLEA is the number of schools under each LEA.
	SchoolsPerLEA int
	// StudentsPerSchool is the number of students enrolled at each school.
	StudentsPerSchool int
}

// The scales: Full is the benchmark the issue asks for (1 SEA, 100 LEAs,
// 10,000 schools, 100,000 students and associations); Tenth is 1/10 of its
// data (the "GET on 10× the data" comparison reads both); Smoke is 1/100,
// the default, cheap enough for `make bench-smoke` in CI.
var (
	Full  = Scale{Name: "full", LEAs: 100, SchoolsPerLEA: 100, StudentsPerSchool: 10}
	Tenth = Scale{Name: "tenth", LEAs: 10, SchoolsPerLEA: 100, StudentsPerSchool: 10}
	Smoke = Scale{Name: "smoke", LEAs: 1, SchoolsPerLEA: 100, StudentsPerSchool: 10}
)

// ScaleEnv is the environment variable that selects the scale: "full"
// (what `make bench` sets), "tenth" or "smoke" (the default).
const ScaleEnv = "DMSC_AUTHBENCH_SCALE"

// ScaleFromEnv returns the scale ScaleEnv names (Smoke when unset).
func ScaleFromEnv() (Scale, error) {
	v := strings.TrimSpace(os.Getenv(ScaleEnv))
	switch strings.ToLower(v) {
	case "", Smoke.Name:
		return Smoke, nil
	case Tenth.Name:
		return Tenth, nil
	case Full.Name:
		return Full, nil
	}
	return Scale{}, fmt.Errorf("%s=%q: want %s, %s or %s", ScaleEnv, v, Full.Name, Tenth.Name, Smoke.Name)
}

// Schools is the number of schools.
func (s Scale) Schools() int { return s.LEAs * s.SchoolsPerLEA }

// Students is the number of students (and of StudentSchoolAssociations).
func (s Scale) Students() int { return s.Schools() * s.StudentsPerSchool }

// Documents is the number of documents the generator writes, descriptors
// included.
func (s Scale) Documents() int { return len(descriptors) + 1 + s.LEAs + s.Schools() + 2*s.Students() }

// String describes the scale for logs.
func (s Scale) String() string {
	return fmt.Sprintf("%s (1 SEA, %d LEAs, %d schools, %d students and associations)", s.Name, s.LEAs, s.Schools(), s.Students())
}
