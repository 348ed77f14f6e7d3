package cli

import (
	"encoding/json"
	"testing"
)

func TestVersionText(t *testing.T) {
	r := runCLI(t, "version")
	mustCode(t, r, ExitOK)
	if want := "dmsc " + buildVersion() + "\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
}

func TestVersionJSON(t *testing.T) {
	r := runCLI(t, "version", "--format", "json")
	mustCode(t, r, ExitOK)
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if len(got) != 1 || got["version"] != buildVersion() {
		t.Errorf("got %v, want {version: %q}", got, buildVersion())
	}
}

func TestVersionLinkTimeOverride(t *testing.T) {
	saved := version
	t.Cleanup(func() { version = saved })
	version = "v1.2.3"
	r := runCLI(t, "version", "--format=json")
	mustCode(t, r, ExitOK)
	if r.stdout != "{\n  \"version\": \"v1.2.3\"\n}\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}
