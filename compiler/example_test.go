package compiler

import (
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/example"
)

// compileExample compiles the built-in example schema set.
func compileExample(t testing.TB) (*Result, *diag.List) {
	t.Helper()
	var d diag.List
	var projects []*apischema.Project
	for _, f := range example.Files() {
		if p := apischema.Parse(f.Name, f.Data, &d); p != nil {
			projects = append(projects, p)
		}
	}
	var res *Result
	if set := apischema.Build(projects, &d); set != nil {
		res = Compile(set, Options{}, &d)
	}
	if err := d.Err(); err != nil {
		t.Fatalf("example schema:\n%v", err)
	}
	return res, &d
}

func TestExampleCompilesCleanly(t *testing.T) {
	res, d := compileExample(t)
	for _, w := range d.Warnings() {
		t.Errorf("unexpected warning: %s", w)
	}
	for _, m := range res.Models() {
		t.Logf("%s: %s", m.Dialect, Summary(m))
	}
}
