package model

import "testing"

func TestWidest(t *testing.T) {
	tests := []struct {
		a, b Type
		want Type
		ok   bool
	}{
		{Type{Kind: String, MaxLength: 20}, Type{Kind: String, MaxLength: 75}, Type{Kind: String, MaxLength: 75}, true},
		{Type{Kind: Int32}, Type{Kind: Int64}, Type{Kind: Int64}, true},
		{Type{Kind: Int64}, Type{Kind: Int16}, Type{Kind: Int64}, true},
		{Type{Kind: Decimal, Precision: 9, Scale: 2}, Type{Kind: Decimal, Precision: 6, Scale: 4}, Type{Kind: Decimal, Precision: 11, Scale: 4}, true},
		{Type{Kind: Decimal, Precision: 38, Scale: 0}, Type{Kind: Decimal, Precision: 10, Scale: 10}, Type{Kind: Decimal, Precision: 38, Scale: 10}, true},
		{Type{Kind: Date}, Type{Kind: Date}, Type{Kind: Date}, true},
		{Type{Kind: String, MaxLength: 5}, Type{Kind: Int32}, Type{}, false},
		{Type{Kind: Date}, Type{Kind: DateTime}, Type{}, false},
	}
	for _, tt := range tests {
		got, ok := Widest(tt.a, tt.b)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("Widest(%s, %s) = %s, %v; want %s, %v", tt.a, tt.b, got, ok, tt.want, tt.ok)
		}
	}
}
