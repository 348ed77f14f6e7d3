package datadict

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// externalRef matches what would make a page need something beyond its
// own file: a script, a stylesheet or any other linked resource, an
// embedded object, a CSS import or url(), or a link that leaves the
// dictionary (http:, https:, protocol-relative).
var externalRef = regexp.MustCompile(`(?i)<script|<link|<iframe|<object|<embed|<img|\ssrc=|@import|url\(|\shref="(https?:|//|javascript:)`)

// TestPagesAreSelfContained: no page loads anything but itself, and every
// link between pages points at a file of the dictionary.
func TestPagesAreSelfContained(t *testing.T) {
	out := generate(t, exampleFiles(), model.PgSQL)
	checkSelfContained(t, out.files)
}

// TestPagesAreSelfContainedDS50 is the same check on DS 5.0 + sample-ds50,
// whose descriptions hold text of all kinds.
func TestPagesAreSelfContainedDS50(t *testing.T) {
	checkSelfContained(t, fixtureDictionary(t).files)
}

// hrefAttr captures a link target.
var hrefAttr = regexp.MustCompile(`\shref="([^"#]*)(#[^"]*)?"`)

// checkSelfContained fails for an external reference in a page or a link
// to a file the dictionary does not hold.
func checkSelfContained(t *testing.T, files []File) {
	t.Helper()
	names := byName(files)
	for _, f := range files {
		if !strings.HasSuffix(f.Name, ".html") {
			continue
		}
		if loc := externalRef.FindIndex(f.Data); loc != nil {
			t.Errorf("%s needs something outside the dictionary: %q", f.Name, f.Data[max(0, loc[0]-40):min(len(f.Data), loc[1]+40)])
		}
		for _, m := range hrefAttr.FindAllSubmatch(f.Data, -1) {
			if target := string(m[1]); target != "" && names[target] == nil {
				t.Errorf("%s links to %s, which the dictionary does not hold", f.Name, target)
			}
		}
	}
}

// consoleLine matches a page's console message in Chromium's stderr log
// (--enable-logging=stderr): `[…:INFO:CONSOLE:12] "message", source: …`.
// The pages hold no script, so any console message is a failure (a
// stylesheet or resource that failed to load, a script error).
var consoleLine = regexp.MustCompile(`(?m)^\[[^\]]*:CONSOLE[:(\]].*$`)

// consoleMessages returns the console messages of a Chromium stderr log.
func consoleMessages(stderr string) []string {
	return consoleLine.FindAllString(stderr, -1)
}

// TestConsoleMessagesParse: the console check finds Chromium's console
// lines and ignores its own warnings, so it can fail.
func TestConsoleMessagesParse(t *testing.T) {
	log := `[8468:8468:1204/161236.042617:WARNING:sandbox/policy/linux/sandbox_linux.cc:404] InitializeSandbox() called with multiple threads in process gpu-process.
[8388:8388:1204/161236.385607:INFO:CONSOLE:1] "boom", source: file:///tmp/bad.html (1)
[8388:8388:1204/161236.385953:INFO:CONSOLE(12)] "Uncaught ReferenceError: undefinedFn is not defined", source: file:///tmp/bad.html (12)
[5648:5676:1204/161105.953887:ERROR:dbus/bus.cc:405] Failed to connect to the bus
12677 bytes written to file /tmp/bad.png`
	if got := consoleMessages(log); len(got) != 2 {
		t.Errorf("found %d console messages, want 2: %q", len(got), got)
	}
}

// TestChromiumRendersSchoolPage opens the page holding School (DS 5.0 +
// sample-ds50, or the example without the fixtures) in headless Chromium
// once: the page must log nothing to the console, and its screenshot must
// be a PNG of the window's size with more than one colour.
func TestChromiumRendersSchoolPage(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not on PATH: install it (Debian: apt-get install --no-install-recommends chromium; .ci/run does) to render the dictionary in a browser")
	}
	// The subtest skips, saying why, when the fixtures are absent.
	fixtures := false
	t.Run("fixtures", func(t *testing.T) {
		testenv.Fixtures(t)
		fixtures = true
	})
	var out *output
	source := "DS 5.0 + sample-ds50"
	if fixtures {
		out = fixtureDictionary(t)
	} else {
		source = "the example schema set"
		t.Logf("no fixture corpus: rendering %s", source)
		out = generate(t, exampleFiles(), model.PgSQL)
	}
	page := ""
	for _, p := range out.dict.Projects {
		for _, r := range p.Resources {
			if r.ResourceName == "School" {
				page = p.Page
			}
		}
	}
	if page == "" {
		t.Fatalf("%s has no School resource", source)
	}
	dir := t.TempDir()
	for _, f := range out.files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shot := filepath.Join(dir, "school.png")
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium,
		"--headless=new", "--no-sandbox", "--disable-gpu",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		"--enable-logging=stderr", "--v=0",
		"--screenshot="+shot, "--window-size=1280,2000",
		"file://"+filepath.Join(dir, page))
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	t.Logf("chromium rendered %s of %s in %v", page, source, time.Since(start).Round(time.Millisecond))
	for _, msg := range consoleMessages(stderr.String()) {
		t.Errorf("console message on %s: %s", page, msg)
	}
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, stderr.String())
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("the screenshot is %dx%d, want the window's 1280x2000", b.Dx(), b.Dy())
	}
	if n := colours(img, 16); n < 2 {
		t.Errorf("the screenshot is blank: %d colour", n)
	} else {
		t.Logf("the screenshot has at least %d distinct colours", n)
	}
}

// colours counts the distinct colours of img, stopping at limit.
func colours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}
