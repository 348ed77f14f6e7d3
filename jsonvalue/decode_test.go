package jsonvalue

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// mustDecode decodes s or fails the test.
func mustDecode(t testing.TB, s string) any {
	t.Helper()
	v, err := Decode([]byte(s))
	if err != nil {
		t.Fatalf("Decode(%s): %v", s, err)
	}
	return v
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    any
		wantErr string
	}{
		{in: `1.50`, want: json.Number("1.50")},
		{in: ` {"a":[1,true,null,"x"]} `, want: map[string]any{"a": []any{json.Number("1"), true, nil, "x"}}},
		{in: `12345678901234567890123`, want: json.Number("12345678901234567890123")},
		{in: ``, wantErr: "empty input"},
		{in: `   `, wantErr: "empty input"},
		{in: `{"a":1} {"b":2}`, wantErr: "unexpected data"},
		{in: `[1]]`, wantErr: "unexpected data"},
		{in: `{"a":}`, wantErr: "invalid character"},
	} {
		got, err := Decode([]byte(tc.in))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Decode(%q) error %v, want one containing %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Decode(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
}
