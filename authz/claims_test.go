package authz

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/diag"
)

// minimal wraps claims in a file declaring claim set A.
func minimal(hierarchy string) string {
	return `{"claimSets": [{"claimSetName": "A", "isSystemReserved": false}], "claimsHierarchy": [` + hierarchy + `]}`
}

func diagStrings(l *diag.List) []string {
	var out []string
	for _, d := range l.Items() {
		out = append(out, d.String())
	}
	return out
}

// TestParseProblems: every malformed input is reported with its location,
// all problems of a file at once; warnings do not fail the parse.
func TestParseProblems(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		want   []string
		failed bool
	}{
		{"not JSON", `{"claimSets": [}`, []string{
			`c.json:$: invalid-json: not valid JSON: invalid character '}' looking for beginning of value (line 1, column 16)`}, true},
		{"truncated", "{\n  \"claimSets\": [", []string{
			`c.json:$: invalid-json: not valid JSON: unexpected end of input (line 2, column 17)`}, true},
		{"trailing data", `{"claimSets": [], "claimsHierarchy": []} {}`, []string{
			`c.json:$: invalid-json: not valid JSON: unexpected data after the top-level value (line 1, column 42)`}, true},
		{"not UTF-8", "{\"claimSets\": [\"\xff\"]}", []string{
			`c.json:$: invalid-json: the file is not UTF-8 (invalid byte at offset 16)`}, true},
		{"top level array", `[]`, []string{`c.json:$: wrong-type: expected an object, found an array`}, true},
		{"empty object", `{}`, []string{
			`c.json:$: missing-key: missing "claimSets"`,
			`c.json:$: missing-key: missing "claimsHierarchy"`}, true},
		{"empty arrays and an unknown key", `{"claimSets": [], "claimsHierarchy": [], "resourceClaims": []}`, []string{
			`c.json:$.claimSets: empty-value: "claimSets" is empty; it needs at least one entry`,
			`c.json:$.claimsHierarchy: empty-value: "claimsHierarchy" is empty; it needs at least one entry`,
			`c.json:$.resourceClaims: unknown-key: unknown key "resourceClaims"; expected one of "claimSets", "claimsHierarchy"`}, true},
		{"claim set declarations", `{"claimSets": [
			{"claimSetName": "A", "isSystemReserved": "no"},
			{"claimSetName": "a", "isSystemReserved": false},
			{"claimSetName": " ", "isSystemReserved": false},
			{"name": "B"},
			7
		], "claimsHierarchy": [{"name": "x"}]}`, []string{
			`c.json:$.claimSets[0].isSystemReserved: wrong-type: expected a boolean, found a string`,
			`c.json:$.claimSets[1].claimSetName: duplicate-claim-set: claim set "a" is declared twice (also $.claimSets[0], "A"); claim set names are case-insensitive`,
			`c.json:$.claimSets[2].claimSetName: empty-value: "claimSetName" is empty`,
			`c.json:$.claimSets[3]: missing-key: missing "claimSetName"`,
			`c.json:$.claimSets[3]: missing-key: missing "isSystemReserved"`,
			`c.json:$.claimSets[3].name: unknown-key: unknown key "name"; expected one of "claimSetName", "isSystemReserved"`,
			`c.json:$.claimSets[4]: wrong-type: expected an object, found a number`}, true},
		{"duplicate key", `{"claimSets": [{"claimSetName": "A", "claimSetName": "B", "isSystemReserved": true}], "claimsHierarchy": [{"name": "x"}]}`, []string{
			`c.json:$.claimSets[0].claimSetName: duplicate-key: key "claimSetName" appears more than once in the object`}, true},
		{"claims", minimal(`
			{"name": "http://ed-fi.org/identity/claims/domains/d", "claims": [
				{"name": "http://ed-fi.org/identity/claims/ed-fi/school"},
				{"name": "http://ed-fi.org/identity/claims/ed-fi/School"},
				{"claims": "x"},
				{"name": 3, "default": {}}
			]}`), []string{
			`c.json:$.claimsHierarchy[0].claims[1].name: duplicate-claim: claim "http://ed-fi.org/identity/claims/ed-fi/School" appears twice in the hierarchy (first at $.claimsHierarchy[0].claims[0]); claim names are case-insensitive`,
			`c.json:$.claimsHierarchy[0].claims[2]: missing-key: missing "name"`,
			`c.json:$.claimsHierarchy[0].claims[2].claims: wrong-type: expected an array, found a string`,
			`c.json:$.claimsHierarchy[0].claims[3].default: unknown-key: unknown key "default"; expected one of "name", "defaultAuthorization", "claimSets", "claims"`,
			`c.json:$.claimsHierarchy[0].claims[3].name: wrong-type: expected a string, found a number`}, true},
		{"default authorization", minimal(`
			{"name": "d", "defaultAuthorization": {"actions": [
				{"name": "Read", "authorizationStrategies": [{"name": "NamespaceBased"}, {"name": "NamespaceBased"}]},
				{"name": "read", "authorizationStrategies": []},
				{"name": "Update"},
				{"name": "Upsert", "authorizationStrategies": [{"name": "namespaceBased"}, {"name": "SchoolWithCustomRules"}, {}]}
			]}},
			{"name": "e", "defaultAuthorization": {"actions": []}},
			{"name": "f", "defaultAuthorization": {}}`), []string{
			`c.json:$.claimsHierarchy[0].defaultAuthorization.actions[0].authorizationStrategies[1].name: warning: duplicate-strategy: strategy "NamespaceBased" is listed twice`,
			`c.json:$.claimsHierarchy[0].defaultAuthorization.actions[1].authorizationStrategies: warning: no-strategies: the default for "read" names no strategy: it hides the defaults of the claims above, and a claim set granted "read" here without overrides gets a 500 (security configuration)`,
			`c.json:$.claimsHierarchy[0].defaultAuthorization.actions[1].name: duplicate-action: action "read" is listed twice (first at $.claimsHierarchy[0].defaultAuthorization.actions[0])`,
			`c.json:$.claimsHierarchy[0].defaultAuthorization.actions[2]: missing-key: missing "authorizationStrategies"`,
			`c.json:$.claimsHierarchy[0].defaultAuthorization.actions[3].authorizationStrategies[0].name: warning: unknown-strategy: unknown authorization strategy "namespaceBased" (did you mean "NamespaceBased"? names are case-sensitive): a request it applies to fails with 500 (security configuration)`,
			`c.json:$.claimsHierarchy[0].defaultAuthorization.actions[3].authorizationStrategies[1].name: warning: unknown-strategy: unknown authorization strategy "SchoolWithCustomRules": a request it applies to fails with 500 (security configuration)`,
			`c.json:$.claimsHierarchy[0].defaultAuthorization.actions[3].authorizationStrategies[2]: missing-key: missing "name"`,
			`c.json:$.claimsHierarchy[0].defaultAuthorization.actions[3].name: warning: unknown-action: unknown action "Upsert" (dmsc knows Create, Read, Update, Delete and ReadChanges); it never matches a request`,
			`c.json:$.claimsHierarchy[1].defaultAuthorization.actions: empty-value: "actions" is empty; it needs at least one entry`,
			`c.json:$.claimsHierarchy[2].defaultAuthorization: missing-key: missing "actions"`}, true},
		{"claim set grants", minimal(`
			{"name": "d", "claimSets": [
				{"name": "A", "actions": [{"name": "Read"}, {"name": "READ", "authorizationStrategyOverrides": [{"name": "NamespaceBased"}]}]},
				{"name": "a", "actions": [{"name": "Create"}]},
				{"name": "B", "actions": [{"name": "Create"}]},
				{"name": "A2", "actions": []},
				{"name": "A3", "actions": [{"name": "Read", "authorizationStrategies": []}]}
			]}`), []string{
			`c.json:$.claimsHierarchy[0].claimSets[0].actions[1].name: duplicate-action: action "READ" is listed twice (first at $.claimsHierarchy[0].claimSets[0].actions[0])`,
			`c.json:$.claimsHierarchy[0].claimSets[1].name: duplicate-claim-set-entry: claim set "a" is named twice on this claim (first at $.claimsHierarchy[0].claimSets[0])`,
			`c.json:$.claimsHierarchy[0].claimSets[2].name: undeclared-claim-set: claim set "B" is not declared in $.claimSets`,
			`c.json:$.claimsHierarchy[0].claimSets[3].actions: empty-value: "actions" is empty; it needs at least one entry`,
			`c.json:$.claimsHierarchy[0].claimSets[3].name: undeclared-claim-set: claim set "A2" is not declared in $.claimSets`,
			`c.json:$.claimsHierarchy[0].claimSets[4].actions[0].authorizationStrategies: unknown-key: unknown key "authorizationStrategies"; expected one of "name", "authorizationStrategyOverrides"`,
			`c.json:$.claimsHierarchy[0].claimSets[4].name: undeclared-claim-set: claim set "A3" is not declared in $.claimSets`}, true},
		{"warnings only", minimal(`{"name": "x", "defaultAuthorization": {"actions": [{"name": "Read", "authorizationStrategies": [{"name": "Custom"}]}]}}`), []string{
			`c.json:$.claimsHierarchy[0].defaultAuthorization.actions[0].authorizationStrategies[0].name: warning: unknown-strategy: unknown authorization strategy "Custom": a request it applies to fails with 500 (security configuration)`}, false},
		{"byte order mark", "\xef\xbb\xbf" + minimal(`{"name": "x"}`), nil, false},
		{"odd keys are quoted in paths", `{"claimSets": [{"claimSetName": "A", "isSystemReserved": true}], "claimsHierarchy": [{"name": "x"}], "a b": 1, "it's": 2}`, []string{
			`c.json:$['a b']: unknown-key: unknown key "a b"; expected one of "claimSets", "claimsHierarchy"`,
			`c.json:$['it\'s']: unknown-key: unknown key "it's"; expected one of "claimSets", "claimsHierarchy"`}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d diag.List
			c := Parse("c.json", []byte(tt.input), &d)
			if got := diagStrings(&d); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if (c == nil) != tt.failed {
				t.Errorf("claims nil = %v, want %v", c == nil, tt.failed)
			}
			if tt.failed && d.Err() == nil {
				t.Error("no error")
			}
		})
	}
}

// TestParseDepth: deep nesting is refused by the claims depth and the JSON
// depth limits, with an error rather than a crash.
func TestParseDepth(t *testing.T) {
	nest := func(n int) string { return minimal(nested(n)) }
	var d diag.List
	if c := Parse("c.json", []byte(nest(MaxClaimDepth)), &d); c == nil {
		t.Fatalf("depth %d refused: %v", MaxClaimDepth, d.Err())
	}
	d = diag.List{}
	Parse("c.json", []byte(nest(MaxClaimDepth+1)), &d)
	if got := diagStrings(&d); len(got) != 1 || !strings.Contains(got[0], "claims-too-deep: claims nest more than 32 levels deep") {
		t.Errorf("depth %d: %q", MaxClaimDepth+1, got)
	}
	d = diag.List{}
	Parse("c.json", []byte(strings.Repeat("[", 100000)), &d)
	if got := diagStrings(&d); len(got) != 1 || !strings.Contains(got[0], "nesting deeper than 256 levels") {
		t.Errorf("deep arrays: %q", got)
	}
}

// nested returns n claims, each the only child of the one before.
func nested(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(`{"name": "c` + strings.Repeat("i", i) + `", "claims": [`)
	}
	for i := 0; i < n; i++ {
		b.WriteString(`]}`)
	}
	return b.String()
}

// TestLoadFile: files are read bounded; read problems name the file.
func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "claims.json")
	if err := os.WriteFile(good, []byte(minimal(`{"name": "x"}`)), 0o644); err != nil {
		t.Fatal(err)
	}
	var d diag.List
	c := LoadFile(good, &d)
	if c == nil || d.Len() != 0 {
		t.Fatalf("good file: %v", diagStrings(&d))
	}
	if c.File() != good || !reflect.DeepEqual(c.ResourceClaims(), []string{"x"}) || !reflect.DeepEqual(c.ClaimSets(), []ClaimSet{{Name: "A"}}) {
		t.Errorf("loaded %q %q %+v", c.File(), c.ResourceClaims(), c.ClaimSets())
	}
	for _, tt := range []struct{ path, want string }{
		{dir, dir + ": read-failed: cannot read file: not a regular file (a directory)"},
		{filepath.Join(dir, "missing.json"), filepath.Join(dir, "missing.json") + ": read-failed: cannot read file: no such file or directory"},
	} {
		d = diag.List{}
		if LoadFile(tt.path, &d) != nil {
			t.Errorf("%s: loaded", tt.path)
		}
		if got := diagStrings(&d); len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s: %q, want %q", tt.path, got, tt.want)
		}
	}
}
