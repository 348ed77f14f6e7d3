package cli

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestAuthOverlayCompiles: DS 5.0, which declares no securable elements,
// compiles with our overlay into a manifest whose every resource with an
// overlay entry carries compiled elements (CourseTranscript's reach the
// student through StudentAcademicRecord), and without it into none.
func TestAuthOverlayCompiles(t *testing.T) {
	core := testenv.DS50(t)
	overlay := filepath.Join(testenv.RepoRoot(t), "testdata", "auth", "ds-5.0.overlay.json")
	type element struct {
		Subject, Site string
		Hops          []struct {
			TargetResource string `json:"target_resource_name"`
		}
	}
	count := func(args ...string) (int, []element) {
		r := runCLI(t, append([]string{"model", "-q", "-s", core, "--format", "json"}, args...)...)
		mustCode(t, r, ExitOK)
		var m struct {
			Resources []struct {
				ResourceName string    `json:"resource_name"`
				Elements     []element `json:"securable_elements"`
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
			t.Fatal(err)
		}
		n := 0
		var transcript []element
		for _, res := range m.Resources {
			n += len(res.Elements)
			if res.ResourceName == "CourseTranscript" {
				transcript = res.Elements
			}
		}
		return n, transcript
	}
	if n, _ := count(); n != 0 {
		t.Errorf("DS 5.0 without an overlay: %d elements, want 0", n)
	}
	n, transcript := count("--auth-overlay", overlay)
	if n < 300 {
		t.Errorf("DS 5.0 with the overlay: %d elements, want every overlay entry compiled (300+)", n)
	}
	found := false
	for _, e := range transcript {
		if e.Subject == "Student" && e.Site == "transitive" && len(e.Hops) == 2 && e.Hops[0].TargetResource == "StudentAcademicRecord" && e.Hops[1].TargetResource == "Student" {
			found = true
		}
	}
	if !found {
		t.Errorf("CourseTranscript's Student element is not transitive through StudentAcademicRecord: %+v", transcript)
	}
}
