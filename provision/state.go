package provision

import (
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/edfi-dmsc/dmsc/model"
)

// ErrFingerprintMismatch is matched (errors.Is) by every *MismatchError.
var ErrFingerprintMismatch = errors.New("fingerprint mismatch")

// MismatchError reports a database provisioned for another schema set. The
// CLI maps it to exit code 3.
type MismatchError struct {
	// StoredHash is the database's effective schema hash; ExpectedHash
	// the compiled one.
	StoredHash, ExpectedHash string
	// Differences lists what differs, one phrase each, sorted by project
	// endpoint (`ed-fi: version 5.0.0 in the database, 5.2.0 in the schema
	// set`).
	Differences []string
}

// Error names both hashes and what differs.
func (e *MismatchError) Error() string {
	var b strings.Builder
	b.WriteString("fingerprint mismatch: the database holds effective schema hash ")
	b.WriteString(e.StoredHash)
	b.WriteString(", the schema set has ")
	b.WriteString(e.ExpectedHash)
	if len(e.Differences) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(e.Differences, "; "))
		b.WriteString(")")
	}
	return b.String()
}

// Is reports whether target is ErrFingerprintMismatch.
func (e *MismatchError) Is(target error) bool { return target == ErrFingerprintMismatch }

// State is what a database's dms.EffectiveSchema and dms.SchemaComponent
// hold for its newest effective schema.
type State struct {
	// Hash is the newest effective schema hash, "" when the database is
	// not provisioned (no table or no row).
	Hash                   string
	APISchemaFormatVersion string
	MappingVersion         string
	// AppliedAt is when that effective schema's seed row was written
	// (the database server's clock).
	AppliedAt time.Time
	// ManifestStored reports that dms.RuntimeManifest holds the runtime
	// manifest of that effective schema.
	ManifestStored bool
	// Components are that schema's projects sorted by endpoint name.
	Components []Component
}

// Component is one dms.SchemaComponent row.
type Component struct {
	EndpointName   string `json:"project_endpoint_name"`
	ProjectName    string `json:"project_name"`
	ProjectVersion string `json:"project_version"`
	IsExtension    bool   `json:"is_extension_project"`
	ProjectHash    string `json:"project_hash"`
}

// Provisioned reports whether the database holds an effective schema.
func (s *State) Provisioned() bool { return s != nil && s.Hash != "" }

// Mismatch compares the database state with m: nil when the hashes are
// equal or the database is not provisioned, else a *MismatchError listing
// the differences (projects only on one side, other versions, other
// project hashes, mapping or format version).
func (s *State) Mismatch(m *model.Model) *MismatchError {
	if !s.Provisioned() || s.Hash == m.EffectiveSchemaHash {
		return nil
	}
	e := &MismatchError{StoredHash: s.Hash, ExpectedHash: m.EffectiveSchemaHash}
	if s.MappingVersion != m.MappingVersion {
		e.Differences = append(e.Differences, "mapping version "+s.MappingVersion+" in the database, "+m.MappingVersion+" in the schema set")
	}
	if s.APISchemaFormatVersion != m.APISchemaVersion {
		e.Differences = append(e.Differences, "ApiSchema format version "+s.APISchemaFormatVersion+" in the database, "+m.APISchemaVersion+" in the schema set")
	}
	db := map[string]Component{}
	var names []string
	for _, c := range s.Components {
		db[c.EndpointName] = c
		names = append(names, c.EndpointName)
	}
	want := map[string]model.Project{}
	for _, p := range m.Projects {
		want[p.EndpointName] = p
		if _, ok := db[p.EndpointName]; !ok {
			names = append(names, p.EndpointName)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		c, inDB := db[n]
		p, inSet := want[n]
		switch {
		case !inSet:
			e.Differences = append(e.Differences, n+": only in the database ("+c.ProjectName+" "+c.ProjectVersion+")")
		case !inDB:
			e.Differences = append(e.Differences, n+": only in the schema set ("+p.ProjectName+" "+p.ProjectVersion+")")
		case c.ProjectVersion != p.ProjectVersion:
			e.Differences = append(e.Differences, n+": version "+c.ProjectVersion+" in the database, "+p.ProjectVersion+" in the schema set")
		case c.ProjectHash != p.ProjectHash:
			e.Differences = append(e.Differences, n+": same version "+p.ProjectVersion+" but different content (project hash "+short(c.ProjectHash)+" in the database, "+short(p.ProjectHash)+" in the schema set)")
		}
	}
	if len(e.Differences) == 0 {
		e.Differences = append(e.Differences, "the projects and versions agree; the database's schema components do not explain its hash")
	}
	return e
}

// short abbreviates a hash for messages.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
