package fingerprint

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCanonicalizeJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"minified and sorted", `{ "zebra": 1, "alpha": 2, "Beta": 3 }`, `{"Beta":3,"alpha":2,"zebra":1}`},
		{"nested objects sorted, arrays kept", `{"outer":{"z":1,"a":2},"array":[{"y":3,"x":4},"b","a"]}`, `{"array":[{"x":4,"y":3},"b","a"],"outer":{"a":2,"z":1}}`},
		{"literals", `[null,true,false,{}, []]`, `[null,true,false,{},[]]`},
		{"number tokens kept", `[1.0, 1e5, -0, 1E+2, 0.10, 123456789012345678901234567890]`, `[1.0,1e5,-0,1E+2,0.10,123456789012345678901234567890]`},
		{"UTF-16 key order: non-BMP before U+FF01", "{\"\uFF01\":1,\"\U0001F600\":2,\"\uE000\":3,\"\uD55C\":4}", "{\"\uD55C\":4,\"\\uD83D\\uDE00\":2,\"\\uE000\":3,\"\uFF01\":1}"},
		{"key prefix sorts first", `{"ab":1,"a":2,"":3}`, `{"":3,"a":2,"ab":1}`},
		{"short escapes", `"q\" b\\ n\n r\r t\t b\b f\f"`, `"q\" b\\ n\n r\r t\t b\b f\f"`},
		{"other C0 and DEL upper-case hex", `"\u0000\u001f\u007f\u0085"`, `"\u0000\u001F\u007F\u0085"`},
		{"NBSP and separators", "\"a\u00A0b\u2028c\u2029d\u3000e\u200Bf\"", `"a\u00A0b\u2028c\u2029d\u3000e\u200Bf"`},
		{"emoji as surrogate pair", "\"\U0001F600\"", `"\uD83D\uDE00"`},
		{"escaped input surrogate pair", `"\ud83d\ude00"`, `"\uD83D\uDE00"`},
		{"html and other ASCII unescaped", "\"<>&'+`/\"", "\"<>&'+`/\""},
		{"letters, marks and symbols unescaped", "\"é ü ’ € 中 \u0301\"", "\"é ü ’ € 中 \u0301\""},
		{"private use and unassigned escaped", "\"\uE000\u0378\uFFFF\"", `"\uE000\u0378\uFFFF"`},
		{"BOM (Cf) escaped", "\"\uFEFF\"", `"\uFEFF"`},
		{"keys escaped like strings", "{\"a\u00A0\":1}", `{"a\u00A0":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalizeJSON([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestCompareOrdinal(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"a", "b", -1},
		{"B", "a", -1},
		{"a", "a", 0},
		{"a", "ab", -1},
		{"", "a", -1},
		{"\U0001F600", "\uFF01", -1}, // surrogate 0xD83D < 0xFF01, though U+1F600 > U+FF01
		{"\U0001F600", "\uE000", -1},
		{"\U0001F600", "\uD7FF", 1},
		{"\U0001F600", "\U0001F601", -1},
		{"\U00010000", "\U0001F600", -1},
		{"x\U0001F600", "x\uFFFD", -1},
	}
	for _, tt := range tests {
		if got := CompareOrdinal(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareOrdinal(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := CompareOrdinal(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareOrdinal(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func TestCanonicalizeErrors(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"float64", map[string]any{"a": []any{1.5}}, "$.a[0]: unsupported type float64"},
		{"int", []any{1}, "$[0]: unsupported type int"},
		{"bad number", map[string]any{"n": json.Number("01")}, `$.n: invalid JSON number "01"`},
		{"invalid UTF-8 string", []any{"\xff"}, "$[0]: string is not valid UTF-8"},
		{"invalid UTF-8 key", map[string]any{"\xff": 1}, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Canonicalize(tt.v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	for _, in := range []string{``, `{`, `1 2`, `{"a":1}}`} {
		if _, err := CanonicalizeJSON([]byte(in)); err == nil {
			t.Errorf("CanonicalizeJSON(%q): no error", in)
		}
	}
}
