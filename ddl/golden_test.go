package ddl

import (
	"testing"

	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/internal/schemacase"
)

// TestGolden renders both scripts of the hand-made model and compares them
// with testdata/handmade/<dialect>.sql. (The built-in example and the other
// schema cases are golden-tested end to end, as `dmsc ddl emit` output, in
// ../testdata/cases.)
func TestGolden(t *testing.T) {
	for _, c := range []*schemacase.Case{schemacase.Handmade(t)} {
		for _, s := range scriptsOf(t, c) {
			t.Run(c.Name+"/"+string(s.Dialect), func(t *testing.T) {
				golden.AssertFile(t, "testdata/"+c.Name, s.FileName(), []byte(s.SQL))
			})
		}
	}
}

// TestDeterminism checks that the example's scripts do not depend on the
// input file order and that rendering twice gives the same bytes.
func TestDeterminism(t *testing.T) {
	forward := schemacase.Example(t)
	reversed, err := RenderAll(schemacase.CompileExample(t, true).Models())
	if err != nil {
		t.Fatal(err)
	}
	again, err := RenderAll(forward.Models)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range scriptsOf(t, forward) {
		if reversed[i].SQL != s.SQL {
			t.Errorf("%s: the script changes when the input files are reversed", s.Dialect)
		}
		if again[i].SQL != s.SQL {
			t.Errorf("%s: rendering twice gives different scripts", s.Dialect)
		}
	}
}
