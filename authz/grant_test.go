package authz

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestGrantNormalize: dedupe and order; every problem named; hostile input
// refused with a bounded message.
func TestGrantNormalize(t *testing.T) {
	many := func(n int) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(n - i)
		}
		return out
	}
	manyPrefixes := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "uri://p/" + strconv.Itoa(i)
		}
		return out
	}
	tests := []struct {
		name    string
		in      Grant
		want    Grant
		wantErr string
	}{
		{"empty lists are valid", Grant{ClaimSet: "SISVendor"}, Grant{ClaimSet: "SISVendor"}, ""},
		{"dedupe and order", Grant{ClaimSet: "S", EdOrgIDs: []int64{255901001, 255901, 255901001, -1}, NamespacePrefixes: []string{"uri://x", "uri://ed-fi.org", "uri://x"}},
			Grant{ClaimSet: "S", EdOrgIDs: []int64{-1, 255901, 255901001}, NamespacePrefixes: []string{"uri://ed-fi.org", "uri://x"}}, ""},
		{"10,000 ids pass", Grant{ClaimSet: "S", EdOrgIDs: many(MaxEdOrgIDs)}, Grant{ClaimSet: "S", EdOrgIDs: reversed(many(MaxEdOrgIDs))}, ""},
		{"10,000 distinct ids after dedupe pass", Grant{ClaimSet: "S", EdOrgIDs: append(many(MaxEdOrgIDs), many(MaxEdOrgIDs)...)}, Grant{ClaimSet: "S", EdOrgIDs: reversed(many(MaxEdOrgIDs))}, ""},
		{"10,001 ids", Grant{ClaimSet: "S", EdOrgIDs: many(MaxEdOrgIDs + 1)}, Grant{},
			"invalid grant: 10001 distinct education organization ids, more than the 10000 allowed"},
		{"10,001 prefixes", Grant{ClaimSet: "S", NamespacePrefixes: manyPrefixes(MaxNamespacePrefixes + 1)}, Grant{},
			"invalid grant: 10001 distinct namespace prefixes, more than the 10000 allowed"},
		{"claim set problems", Grant{ClaimSet: ""}, Grant{}, "invalid grant: claim set name is empty"},
		{"claim set spaces", Grant{ClaimSet: " S"}, Grant{}, "invalid grant: claim set name has leading or trailing spaces"},
		{"claim set control", Grant{ClaimSet: "S\x00"}, Grant{}, "invalid grant: claim set name holds a control character"},
		{"claim set long", Grant{ClaimSet: strings.Repeat("s", 257)}, Grant{}, "invalid grant: claim set name is 257 bytes long, more than 256"},
		{"claim set not UTF-8", Grant{ClaimSet: "S\xff"}, Grant{}, "invalid grant: claim set name is not UTF-8"},
		{"bad prefixes, all problems at once", Grant{ClaimSet: "", NamespacePrefixes: []string{"", "uri://ok", "uri://x\n", strings.Repeat("p", 300)}}, Grant{},
			`invalid grant: claim set name is empty; namespace prefix 1 ("") is empty; namespace prefix 3 ("uri://x\n") holds a control character; namespace prefix 4 ("pppppppppppppppppppppppppppppppppppppppp"…) is 300 bytes long, more than 255`},
		{"many bad prefixes, message bounded", Grant{ClaimSet: "S", NamespacePrefixes: make([]string, 1000)}, Grant{},
			`invalid grant: namespace prefix 1 ("") is empty; namespace prefix 2 ("") is empty; namespace prefix 3 ("") is empty; namespace prefix 4 ("") is empty; namespace prefix 5 ("") is empty; and 995 more invalid namespace prefixes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Grant{ClaimSet: tt.in.ClaimSet, EdOrgIDs: append([]int64(nil), tt.in.EdOrgIDs...), NamespacePrefixes: append([]string(nil), tt.in.NamespacePrefixes...)}
			got, err := tt.in.Normalize()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %s", err, tt.wantErr)
				}
				if _, ok := err.(*GrantError); !ok {
					t.Errorf("error type %T", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if !reflect.DeepEqual(in.EdOrgIDs, tt.in.EdOrgIDs) || !reflect.DeepEqual(in.NamespacePrefixes, tt.in.NamespacePrefixes) {
				t.Error("Normalize changed its receiver's slices")
			}
			again, err := got.Normalize()
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("not idempotent: %+v, %v", again, err)
			}
		})
	}
}

func reversed(in []int64) []int64 {
	out := make([]int64, len(in))
	for i, v := range in {
		out[len(in)-1-i] = v
	}
	return out
}

// TestParseLists: the comma lists of headers and token claims.
func TestParseLists(t *testing.T) {
	ids := []struct {
		in      string
		want    []int64
		wantErr string
	}{
		{"", nil, ""},
		{"  ", nil, ""},
		{"255901", []int64{255901}, ""},
		{" 255901 , 255901001,255901", []int64{255901, 255901001, 255901}, ""},
		{"1,,2", nil, "education organization ids item 2 is empty"},
		{"1,", nil, "education organization ids item 2 is empty"},
		{"1,abc", nil, `education organization id 2 ("abc") is not an integer`},
		{"1.5", nil, `education organization id 1 ("1.5") is not an integer`},
		{"99999999999999999999", nil, `education organization id 1 ("99999999999999999999") is out of range`},
		{strings.Repeat("1,", maxListItems), nil, "40001 education organization ids, more than the 40000 a list may hold"},
	}
	for _, tt := range ids {
		got, err := ParseEdOrgIDs(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseEdOrgIDs(%.20q): %v, want %s", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseEdOrgIDs(%q) = %v, %v", tt.in, got, err)
		}
	}
	prefixes := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"uri://ed-fi.org", []string{"uri://ed-fi.org"}, ""},
		{"uri://ed-fi.org, uri://x ", []string{"uri://ed-fi.org", "uri://x"}, ""},
		{"uri://a,,uri://b", nil, "namespace prefixes item 2 is empty"},
	}
	for _, tt := range prefixes {
		got, err := ParseNamespacePrefixes(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseNamespacePrefixes(%q): %v, want %s", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseNamespacePrefixes(%q) = %q, %v", tt.in, got, err)
		}
	}
}
