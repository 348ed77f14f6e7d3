package relstore

import (
	"strings"
	"testing"
)

// TestReadShapeStatements: a shape's GET statement is the full GET
// statement with the arms of the tables the shape leaves out removed —
// all arms give getSQL itself, for every resource — and a resource keeps
// statements for at most maxReadShapes shapes.
func TestReadShapeStatements(t *testing.T) {
	s := &Store{m: exampleManifest(t)}
	if err := s.buildPlans(); err != nil {
		t.Fatal(err)
	}
	for _, p := range s.plans {
		if p.descriptor {
			continue
		}
		if got := readOnePrefix + strings.Join(p.readArms, "\nUNION ALL\n") + p.readTail; got != p.getSQL {
			t.Errorf("%s: the arms do not make its GET statement:\n%s\nwant\n%s", p.res.ResourceName, got, p.getSQL)
		}
		for i, tp := range p.tables {
			if tp.idx != i {
				t.Errorf("%s: table %d has index %d", p.res.ResourceName, i, tp.idx)
			}
		}
	}
	p := s.byName["Example:School"]
	if len(p.tables) < 4 {
		t.Fatalf("School has %d tables", len(p.tables))
	}
	all := make([]bool, len(p.tables))
	for i := range all {
		all[i] = true
	}
	if got := p.shapeGetSQL(all); got != "" {
		t.Errorf("the shape of every table has a statement of its own:\n%s", got)
	}
	rootOnly := p.shapeGetSQL(make([]bool, len(p.tables)))
	if !strings.Contains(rootOnly, p.root.qname) {
		t.Errorf("the root's shape does not read the root:\n%s", rootOnly)
	}
	for _, tp := range p.tables[1:] {
		if strings.Contains(rootOnly, tp.qname+" ") {
			t.Errorf("the root's shape reads %s:\n%s", tp.qname, rootOnly)
		}
	}
	defer func(n int) { maxReadShapes = n }(maxReadShapes)
	maxReadShapes = 1
	if again := p.shapeGetSQL(make([]bool, len(p.tables))); again != rootOnly {
		t.Errorf("a kept shape's statement changed")
	}
	second := make([]bool, len(p.tables))
	second[1] = true
	if got := p.shapeGetSQL(second); got != "" {
		t.Errorf("a shape beyond maxReadShapes got a statement:\n%s", got)
	}
}
