package cli

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestVersionText(t *testing.T) {
	want := readBuildInfo().String() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI(t, args...)
		mustCode(t, r, ExitOK)
		if r.stdout != want {
			t.Errorf("%v: stdout %q, want %q", args, r.stdout, want)
		}
	}
}

func TestVersionJSON(t *testing.T) {
	r := runCLI(t, "version", "--format", "json")
	mustCode(t, r, ExitOK)
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	b := readBuildInfo()
	want := map[string]any{"version": b.Version, "revision": b.Revision, "time": b.Time, "modified": b.Modified, "go": b.Go}
	if len(got) != len(want) {
		t.Errorf("got keys %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
}

func TestVersionLinkTimeOverride(t *testing.T) {
	saved := version
	t.Cleanup(func() { version = saved })
	version = "v1.2.3"
	r := runCLI(t, "version", "--format=json")
	mustCode(t, r, ExitOK)
	var got buildInfo
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.Version != "v1.2.3" {
		t.Errorf("stdout %q (%v), want version v1.2.3", r.stdout, err)
	}
}

// TestBuildInfoOf checks the version, VCS and Go fields, and the text, that
// a binary's build information gives (go test binaries record no VCS
// information, so the cases are made up).
func TestBuildInfoOf(t *testing.T) {
	const rev = "0a7915c1e2f3a4b5c6d7e8f90a1b2c3d4e5f6a7b"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "-buildmode", Value: "exe"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2025-01-02T03:04:05Z"},
			{Key: "vcs.modified", Value: modified},
		}
	}
	cases := []struct {
		name   string
		info   *debug.BuildInfo
		linked string
		want   buildInfo
		text   string
	}{
		{name: "no build information", want: buildInfo{Version: "devel", Go: runtime.Version()},
			text: "dmsc devel (" + runtime.Version() + ")"},
		{name: "local build from a clean checkout",
			info: &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "(devel)"}, Settings: vcs("false")},
			want: buildInfo{Version: "devel", Revision: rev, Time: "2025-01-02T03:04:05Z", Go: "go1.26.1"},
			text: "dmsc devel (revision 0a7915c1e2f3, 2025-01-02T03:04:05Z, go1.26.1)"},
		{name: "modified checkout",
			info: &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v0.0.0-20250102030405-0a7915c1e2f3+dirty"}, Settings: vcs("true")},
			want: buildInfo{Version: "v0.0.0-20250102030405-0a7915c1e2f3+dirty", Revision: rev, Time: "2025-01-02T03:04:05Z", Modified: true, Go: "go1.26.1"},
			text: "dmsc v0.0.0-20250102030405-0a7915c1e2f3+dirty (revision 0a7915c1e2f3-dirty, 2025-01-02T03:04:05Z, go1.26.1)"},
		{name: "go install of a release",
			info: &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.4.0"}},
			want: buildInfo{Version: "v1.4.0", Go: "go1.26.1"},
			text: "dmsc v1.4.0 (go1.26.1)"},
		{name: "link-time version wins",
			info:   &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.4.0"}, Settings: vcs("true")},
			linked: "v1.5.0-rc1",
			want:   buildInfo{Version: "v1.5.0-rc1", Revision: rev, Time: "2025-01-02T03:04:05Z", Modified: true, Go: "go1.26.1"},
			text:   "dmsc v1.5.0-rc1 (revision 0a7915c1e2f3-dirty, 2025-01-02T03:04:05Z, go1.26.1)"},
		{name: "short revision",
			info: &debug.BuildInfo{GoVersion: "go1.26.1", Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}}},
			want: buildInfo{Version: "devel", Revision: "abc", Go: "go1.26.1"},
			text: "dmsc devel (revision abc, go1.26.1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := buildInfoOf(c.info, c.linked)
			if got != c.want {
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
			if got.String() != c.text {
				t.Errorf("text %q, want %q", got.String(), c.text)
			}
		})
	}
}
