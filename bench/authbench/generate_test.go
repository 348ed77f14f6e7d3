package authbench

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestPhasesDeterministic: the same scale gives the same bytes, every
// document is valid JSON, identities are unique and the counts are the
// scale's.
func TestPhasesDeterministic(t *testing.T) {
	for _, s := range []Scale{Smoke, Tenth} {
		a, b := Phases(s), Phases(s)
		total := 0
		ids := map[string]bool{}
		for i, ph := range a {
			total += ph.Count
			for j := 0; j < ph.Count; j++ {
				ep1, d1 := ph.Doc(j)
				ep2, d2 := b[i].Doc(j)
				if ep1 != ep2 || !bytes.Equal(d1, d2) {
					t.Fatalf("%s %s %d differs between two calls", s.Name, ph.Name, j)
				}
				var doc map[string]any
				if err := json.Unmarshal(d1, &doc); err != nil {
					t.Fatalf("%s %s %d: %v", s.Name, ph.Name, j, err)
				}
				key := ep1 + " " + identity(doc)
				if ids[key] {
					t.Fatalf("%s %s %d: identity %s twice", s.Name, ph.Name, j, key)
				}
				ids[key] = true
			}
		}
		if total != s.Documents() {
			t.Errorf("%s: %d documents, Documents() says %d", s.Name, total, s.Documents())
		}
	}
}

// identity is the natural key of a generated document, as text.
func identity(doc map[string]any) string {
	key := func(names ...string) string {
		b, _ := json.Marshal(func() []any {
			var out []any
			for _, n := range names {
				out = append(out, doc[n])
			}
			return out
		}())
		return string(b)
	}
	return key("namespace", "codeValue", "stateEducationAgencyId", "localEducationAgencyId", "schoolId", "studentUniqueId",
		"studentReference", "schoolReference", "entryDate")
}

// TestIDsFitInt32: EdOrg ids are int32 columns in DS 5.0, and schools of
// different LEAs never share an id.
func TestIDsFitInt32(t *testing.T) {
	s := Full
	seen := map[int64]bool{SEAID: true}
	for i := 0; i < s.LEAs; i++ {
		seen[LEAID(i)] = true
	}
	for j := 0; j < s.Schools(); j++ {
		id := s.SchoolID(j)
		if id > 1<<31-1 || seen[id] {
			t.Fatalf("school %d: id %d out of range or repeated", j, id)
		}
		seen[id] = true
	}
}

// TestGrants: every grant includes school 0, and at full scale the
// grants hold 1, 100 and 10,000 distinct schools and one LEA.
func TestGrants(t *testing.T) {
	want := map[string]int{"school1": 1, "school100": 100, "school10000": 10000, "lea1": 1}
	for _, g := range grantsFor(Full) {
		distinct := map[int64]bool{}
		for _, c := range g.claims {
			distinct[c] = true
		}
		if len(distinct) != want[g.name] {
			t.Errorf("%s: %d distinct claims, want %d", g.name, len(distinct), want[g.name])
		}
		if g.name != "lea1" && g.claims[0] != Full.SchoolID(0) {
			t.Errorf("%s does not start with school 0", g.name)
		}
	}
	if g := grantByName(Full, "lea1"); g.claims[0] != LEAID(0) { // school 0 is under LEA 0
		t.Errorf("lea1 is %v, not school 0's LEA", g.claims)
	}
}
