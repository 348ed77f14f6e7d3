package relstore

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/example"
	"github.com/edfi-dmsc/dmsc/model"
)

// examplePlans compiles the built-in example schema into store plans (no
// database needed).
func examplePlans(t testing.TB) *Store {
	t.Helper()
	var d diag.List
	var projects []*apischema.Project
	for _, f := range example.Files() {
		projects = append(projects, apischema.Parse(f.Name, f.Data, &d))
	}
	set := apischema.Build(projects, &d)
	res := compiler.Compile(set, compiler.Options{}, &d)
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	s := &Store{m: compiler.Manifest(res.Model(model.PgSQL))}
	if err := s.buildPlans(); err != nil {
		t.Fatal(err)
	}
	return s
}

// flatSummary renders everything flatten produced, for comparisons.
func flatSummary(f *flat) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id=%s alias=%v/%s problems=%v pruned=%v\n", f.refID, f.hasAlias, f.aliasID, f.problems, f.pruned)
	for i, rows := range f.rows {
		for _, r := range rows {
			fmt.Fprintf(&b, "t%d %v", i, r.key)
			for j, v := range r.vals {
				if v != nil {
					fmt.Fprintf(&b, " %d=%q", j, *v)
				}
				if r.refs[j] >= 0 {
					fmt.Fprintf(&b, " %d->%s", j, f.refs[r.refs[j]].id)
				}
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// FuzzFlatten feeds arbitrary bodies to every resource's flattener: it
// must not panic, must be deterministic, and accepted documents must have
// well-formed rows (ordinals 0..n-1 under each parent, every FK site
// recorded once).
func FuzzFlatten(f *testing.F) {
	s := examplePlans(f)
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "documents", "example", "*", "*", "*.json"))
	sort.Strings(files)
	for i, file := range files {
		data, err := os.ReadFile(file)
		if err == nil {
			f.Add(uint8(i), data)
		}
	}
	f.Add(uint8(0), []byte(`{"schoolId":1,"nameOfInstitution":"A","gradeLevels":[{"gradeLevelDescriptor":"a#b"}],"addresses":[{"periods":[{}]}],"_ext":{"extra":{}}}`))
	f.Fuzz(func(t *testing.T, pick uint8, body []byte) {
		p := s.plans[int(pick)%len(s.plans)]
		doc1, err1 := decodeDocument(body)
		doc2, err2 := decodeDocument(body)
		if (err1 == nil) != (err2 == nil) {
			t.Fatal("decoding is not deterministic")
		}
		if err1 != nil {
			return
		}
		a, b := p.flatten(doc1), p.flatten(doc2)
		if sa, sb := flatSummary(a), flatSummary(b); sa != sb {
			t.Fatalf("flatten is not deterministic:\n%s\n%s", sa, sb)
		}
		if len(a.problems) > 0 {
			return
		}
		uses := 0
		for ti, rows := range a.rows {
			next := map[string]int32{}
			for _, r := range rows {
				if p.tables[ti].array {
					parent := fmt.Sprint(r.key[:len(r.key)-1])
					if r.key[len(r.key)-1] != next[parent] {
						t.Fatalf("table %d: ordinal %d, want %d", ti, r.key[len(r.key)-1], next[parent])
					}
					next[parent]++
				}
				for _, ref := range r.refs {
					if ref >= 0 {
						uses++
					}
				}
			}
		}
		if uses != len(a.refs) {
			t.Fatalf("%d FK sites in rows, %d references recorded", uses, len(a.refs))
		}
		if !reflect.DeepEqual(a.pruned, b.pruned) {
			t.Fatal("pruned paths differ")
		}
	})
}
