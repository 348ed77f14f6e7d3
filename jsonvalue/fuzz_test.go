package jsonvalue

import (
	"encoding/json"
	"testing"
)

// FuzzEqual checks, for every input that decodes, that a value equals
// itself and its re-encoding, that Diff of a value with itself is empty and
// that Normalize is idempotent. The seed corpus is in testdata/fuzz/FuzzEqual.
func FuzzEqual(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,2.50,{"b":null,"c":[]}],"d":"x"}`,
		`[1e400,-0,0.000]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		if err != nil {
			return
		}
		if !Equal(v, v) {
			t.Fatalf("Equal(x, x) is false for %s", data)
		}
		if d := Diff(v, v); d != nil {
			t.Fatalf("Diff(x, x) = %q for %s", d, data)
		}
		n := Normalize(v)
		if nn := Normalize(n); !Equal(n, nn) {
			t.Fatalf("Normalize is not idempotent for %s: %#v then %#v", data, n, nn)
		}
		if !Equal(Normalize(v, "id"), Normalize(Normalize(v, "id"), "id")) {
			t.Fatalf("Normalize with strip is not idempotent for %s", data)
		}
		enc, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("re-encoding %s: %v", data, err)
		}
		back, err := Decode(enc)
		if err != nil {
			t.Fatalf("decoding the re-encoding %s: %v", enc, err)
		}
		if !Equal(v, back) {
			t.Fatalf("%s and its re-encoding %s differ: %q", data, enc, Diff(v, back))
		}
	})
}
