package testenv

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
)

// ShuffleKeys re-encodes a JSON document with every object's keys in a
// random order (from seed) and different whitespace; numbers keep their
// source text. Determinism tests compile the result and expect the same
// output as for the original.
func ShuffleKeys(t testing.TB, data []byte, seed uint64) []byte {
	t.Helper()
	v, err := jsonvalue.Decode(data)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	r := rand.New(rand.NewPCG(seed, seed))
	var b bytes.Buffer
	var write func(v any)
	write = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
			b.WriteString("{ ")
			for i, k := range keys {
				if i > 0 {
					b.WriteString(",\n")
				}
				b.WriteString(strconv.Quote(k))
				b.WriteString(" : ")
				write(x[k])
			}
			b.WriteString("}")
		case []any:
			b.WriteString("[")
			for i, e := range x {
				if i > 0 {
					b.WriteString(", ")
				}
				write(e)
			}
			b.WriteString("]")
		case json.Number:
			b.WriteString(string(x))
		default:
			enc, err := json.Marshal(x)
			if err != nil {
				t.Fatalf("testenv: %v", err)
			}
			b.Write(enc)
		}
	}
	write(v)
	return b.Bytes()
}
