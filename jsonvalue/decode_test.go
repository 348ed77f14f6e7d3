package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
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
		{in: ``, wantErr: "line 1"},
		{in: `   `, wantErr: "line 1"},
		{in: `{"a":1} {"b":2}`, wantErr: "after the top-level value"},
		{in: `[1]]`, wantErr: "after the top-level value"},
		{in: `{"a":}`, wantErr: "line 1"},
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

// stdDecode is the reference: encoding/json with UseNumber, rejecting
// trailing content.
func stdDecode(data []byte) (any, error) {
	if !json.Valid(data) {
		return nil, errors.New("invalid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{}`, `[]`, `{"a":1,"b":[1.50,-0,1e5,2E-3],"c":{"d":null,"e":true,"f":false}}`,
		`"\u00e9\ud83d\ude00\n\t\\\"\/"`, `"\ud800x"`, `"\udc00"`, "\"\xff\"", ` [ 1 , 2 ] `,
		`{"a":1,"a":2}`, `0`, `-0.0e+10`, `"é"`,
	} {
		got, err := Decode([]byte(in))
		want, werr := stdDecode([]byte(in))
		if (err != nil) != (werr != nil) {
			t.Errorf("%q: err %v, encoding/json err %v", in, err, werr)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %#v, want %#v", in, got, want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a"}`, `{"a":}`, `[1,]`, `01`, `1.`, `1e`, `-`, `tru`, `"abc`, "\"a\x01\"", `{"a":1} x`, `"\x"`, `"\u12"`, `{a:1}`} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		} else if !strings.Contains(err.Error(), "line ") {
			t.Errorf("%q: error without location: %v", in, err)
		}
	}
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	if _, err := Decode([]byte(deep)); err == nil {
		t.Error("no error for excessive nesting")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,"x\u00e9"],"b":null}`, `[true,false]`, `"\ud83d\ude00"`, `{"a":`, `-0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(data)
		want, werr := stdDecode(data)
		if (err == nil) != (werr == nil) {
			t.Fatalf("Decode err=%v, encoding/json err=%v for %q", err, werr, data)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("Decode=%#v, encoding/json=%#v for %q", got, want, data)
		}
	})
}
