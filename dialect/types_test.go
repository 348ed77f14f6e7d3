package dialect

import (
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/model"
)

// stringsBuilder wraps strings.Builder for tests.
type stringsBuilder struct{ strings.Builder }

func TestCheckType(t *testing.T) {
	tests := []struct {
		t  model.Type
		ok bool
	}{
		{model.Type{Kind: model.Int32}, true},
		{model.Type{Kind: model.String, MaxLength: 10}, true},
		{model.Type{Kind: model.String}, true},
		{model.Type{Kind: model.String, MaxLength: -1}, false},
		{model.Type{Kind: model.Decimal, Precision: 9, Scale: 2}, true},
		{model.Type{Kind: model.Decimal, Precision: 39, Scale: 2}, false},
		{model.Type{Kind: model.Decimal, Precision: 2, Scale: 3}, false},
		{model.Type{Kind: "Blob"}, false},
	}
	for _, tt := range tests {
		if err := CheckType(tt.t); (err == nil) != tt.ok {
			t.Errorf("CheckType(%v) = %v, want ok=%v", tt.t, err, tt.ok)
		}
	}
}
