package diag

import (
	"errors"
	"fmt"
	"testing"
)

func TestStringForms(t *testing.T) {
	tests := []struct {
		d    Diagnostic
		want string
	}{
		{Diagnostic{File: "a.json", Path: "$.x", Code: "bad", Message: "m"}, "a.json:$.x: bad: m"},
		{Diagnostic{File: "a.json", Code: "bad", Message: "m"}, "a.json: bad: m"},
		{Diagnostic{Code: "bad", Message: "m"}, "bad: m"},
		{Diagnostic{File: "a.json", Path: "$", Code: "w", Message: "m", Severity: Warning}, "a.json:$: warning: w: m"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestListCollectsAndOrders(t *testing.T) {
	var l List
	if l.Err() != nil || l.HasErrors() {
		t.Fatal("empty list reports errors")
	}
	l.Warnf("b.json", "$", "w", "warn")
	if l.Err() != nil {
		t.Fatal("warnings alone must not fail")
	}
	l.Errorf("b.json", "$.z", "e2", "second")
	l.Errorf("a.json", "$.y", "e1", "first %d", 1)
	var other List
	other.Errorf("c.json", "", "e3", "third")
	l.Merge(&other)
	if l.Len() != 4 || len(l.Errors()) != 3 || len(l.Warnings()) != 1 {
		t.Fatalf("counts: %d items, %d errors, %d warnings", l.Len(), len(l.Errors()), len(l.Warnings()))
	}
	err := l.Err()
	want := "a.json:$.y: e1: first 1\nb.json:$.z: e2: second\nc.json: e3: third"
	if err == nil || err.Error() != want {
		t.Fatalf("Err() = %v, want %q", err, want)
	}
	items, ok := AsErrors(fmt.Errorf("wrapped: %w", err))
	if !ok || len(items) != 3 {
		t.Errorf("AsErrors through a wrap = %v, %v", items, ok)
	}
	if _, ok := AsErrors(errors.New("plain")); ok {
		t.Error("AsErrors accepted a plain error")
	}
}
