package relstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// dateTimeCase is one generated date-time with what the store must do.
type dateTimeCase struct {
	text    string
	instant time.Time // UTC
	ok      bool      // within 0001…9999 in UTC, no digit past microseconds
}

// genDateTime writes instant at offset (minutes) with digits fractional
// digits (0–9) in RFC 3339, sometimes without offset (UTC) or with Z.
func genDateTime(r *rand.Rand, base time.Time) dateTimeCase {
	offsets := []int{0, 0, -14 * 60, 14 * 60, -5 * 60, 5*60 + 30, -30, 30, -(9*60 + 45)}
	off := offsets[r.IntN(len(offsets))]
	digits := r.IntN(10)
	nanos := r.IntN(1_000_000_000)
	for i := digits; i < 9; i++ {
		nanos -= nanos % pow10(9-i) // keep only `digits` digits
	}
	t := base.Add(time.Duration(nanos))
	local := t.In(time.FixedZone("", off*60))
	layout := "2006-01-02T15:04:05"
	if digits > 0 {
		layout += "." + strings.Repeat("0", digits)
	}
	text := local.Format(layout)
	switch {
	case off == 0 && r.IntN(2) == 0:
		text += "Z"
	case off == 0 && r.IntN(2) == 0:
		// no offset: UTC
	default:
		text += local.Format("-07:00")
	}
	u := t.UTC()
	// RFC 3339 writes four-digit years: the local year must fit too.
	ok := u.Year() >= 1 && u.Year() <= 9999 && local.Year() >= 0 && local.Year() <= 9999 && u.Nanosecond()%1000 == 0
	return dateTimeCase{text: text, instant: u, ok: ok}
}

func pow10(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}

// TestDateTimeRoundTrip: every date-time the store accepts reads back as
// the same instant, in a form it accepts again unchanged (PUT of GET); the
// ones it refuses are exactly those outside 0001-01-01T00:00:00Z …
// 9999-12-31T23:59:59.999999Z once in UTC, or with a non-zero digit past
// microseconds (the store never moves an instant or rounds one). Values
// near year 1 and 9999 with offsets up to ±14:00 are the edge; a seeded
// generator adds random instants.
func TestDateTimeRoundTrip(t *testing.T) {
	env, _ := seeded(t, "datetime")
	st := env.Store
	r := rand.New(rand.NewPCG(7, 11))
	var cases []dateTimeCase
	for _, s := range []string{"0001-01-01T00:00:00Z", "0001-01-01T00:00:00-14:00", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59.999999Z",
		"9999-12-31T23:00:00-05:00", "9999-12-31T18:59:59-05:00", "9999-12-31T23:59:59.9999999Z", "2024-03-01T10:15:30.1234560Z", "2024-03-01T10:15:30"} {
		c := dateTimeCase{text: s}
		layout := time.RFC3339Nano
		if !strings.HasSuffix(s, "Z") && !strings.ContainsAny(s[19:], "+-") {
			layout = "2006-01-02T15:04:05.999999999"
		}
		tm, err := time.Parse(layout, s)
		if err != nil {
			t.Fatal(err)
		}
		c.instant = tm.UTC()
		c.ok = c.instant.Year() >= 1 && c.instant.Year() <= 9999 && c.instant.Nanosecond()%1000 == 0
		cases = append(cases, c)
	}
	edges := []time.Time{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}
	for i := 0; i < 120; i++ {
		var base time.Time
		switch i % 3 {
		case 0:
			base = edges[0].Add(time.Duration(r.IntN(48*3600)-24*3600) * time.Second)
		case 1:
			base = edges[1].Add(time.Duration(r.IntN(48*3600)-24*3600) * time.Second)
		default:
			base = time.Unix(r.Int64N(253402300799-(-62135596800))+(-62135596800), 0).UTC()
		}
		cases = append(cases, genDateTime(r, base))
	}
	accepted, refused := 0, 0
	for i, c := range cases {
		body := fmt.Sprintf(`{"studentUniqueId":"DT%03d","firstName":"F","lastSurname":"L","birthDate":"2010-01-01","lastSeenAt":%q}`, i, c.text)
		res, err := st.Upsert(t.Context(), "example", "students", []byte(body))
		if !c.ok {
			var ve *relstore.ValidationError
			if !errors.As(err, &ve) || ve.Problems[0].Path != "$.lastSeenAt" {
				t.Errorf("%s (UTC %s) is outside what the store keeps exactly; got %v, want a validation error at $.lastSeenAt", c.text, c.instant.Format(time.RFC3339Nano), err)
			}
			refused++
			continue
		}
		if err != nil {
			t.Errorf("%s (UTC %s): %v", c.text, c.instant.Format(time.RFC3339Nano), err)
			continue
		}
		accepted++
		first := readLastSeen(t, st, res.ID)
		back, err := time.Parse(time.RFC3339Nano, first.value)
		if err != nil || !back.Equal(c.instant) {
			t.Errorf("%s reads back as %s (%v), want the instant %s", c.text, first.value, err, c.instant.Format(time.RFC3339Nano))
			continue
		}
		// PUT of GET: the body read back is accepted unchanged.
		if _, err := st.Update(t.Context(), "example", "students", res.ID, first.body, first.etag); err != nil {
			t.Errorf("PUT of the GET body of %s (%s): %v", c.text, first.value, err)
			continue
		}
		if again := readLastSeen(t, st, res.ID); again.value != first.value {
			t.Errorf("%s: read back %s, then %s after PUT of GET", c.text, first.value, again.value)
		}
	}
	t.Logf("%d date-times accepted and stable, %d refused", accepted, refused)
	if accepted < 40 || refused < 10 {
		t.Errorf("the generator produced %d accepted and %d refused values; it must exercise both", accepted, refused)
	}
}

type lastSeen struct {
	value, etag string
	body        []byte
}

func readLastSeen(t *testing.T, st *relstore.Store, id string) lastSeen {
	t.Helper()
	d, err := st.Get(t.Context(), "example", "students", id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	var obj map[string]any
	if err := json.Unmarshal(d.JSON, &obj); err != nil {
		t.Fatal(err)
	}
	s, _ := obj["lastSeenAt"].(string)
	return lastSeen{value: s, etag: `"` + d.ETag + `"`, body: d.JSON}
}

// TestDateAndTimeBounds: dates keep to years 0001–9999 and times to
// microseconds; what is accepted reads back unchanged.
func TestDateAndTimeBounds(t *testing.T) {
	env, _ := seeded(t, "datebounds")
	st := env.Store
	for i, c := range []struct {
		birthDate, start string
		ok               bool
	}{
		{"0001-01-01", "00:00:00", true},
		{"9999-12-31", "23:59:59.999999", true},
		{"0000-12-31", "08:30:00", false},
		{"2010-01-01", "08:30:00.1234567", false},
		{"2010-01-01", "08:30:00.1234560", true},
		{"2010-01-01", "8:30:00", false},
		{"2010-01-01", "24:00:00", false},
		{"2010-02-30", "08:30:00", false},
	} {
		body := fmt.Sprintf(`{"studentUniqueId":"DB%d","firstName":"F","lastSurname":"L","birthDate":%q,"preferredStartTime":%q}`, i, c.birthDate, c.start)
		res, err := st.Upsert(t.Context(), "example", "students", []byte(body))
		if !c.ok {
			var ve *relstore.ValidationError
			if !errors.As(err, &ve) {
				t.Errorf("%s %s: %v, want a validation error", c.birthDate, c.start, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s: %v", c.birthDate, c.start, err)
			continue
		}
		d, err := st.Get(t.Context(), "example", "students", res.ID)
		if err != nil {
			t.Fatal(err)
		}
		start := c.start
		if strings.Contains(start, ".") {
			start = strings.TrimRight(strings.TrimRight(start, "0"), ".")
		}
		if !strings.Contains(string(d.JSON), `"birthDate":"`+c.birthDate+`"`) || !strings.Contains(string(d.JSON), `"preferredStartTime":"`+start+`"`) {
			t.Errorf("%s %s read back as %s", c.birthDate, c.start, d.JSON)
		}
	}
}
