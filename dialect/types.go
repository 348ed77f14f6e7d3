package dialect

import (
	"fmt"

	"github.com/edfi-dmsc/dmsc/model"
)

// CheckType reports an error when t cannot be rendered: an unknown kind, a
// negative length, or decimal precision/scale outside 1..38 and 0..precision.
// A String without MaxLength is accepted (unbounded text).
func CheckType(t model.Type) error {
	switch t.Kind {
	case model.Int16, model.Int32, model.Int64, model.Date, model.DateTime, model.Time, model.Boolean:
		return nil
	case model.String:
		if t.MaxLength < 0 {
			return fmt.Errorf("string length %d is negative", t.MaxLength)
		}
		return nil
	case model.Decimal:
		if t.Precision < 1 || t.Precision > 38 || t.Scale < 0 || t.Scale > t.Precision {
			return fmt.Errorf("decimal(%d,%d) is outside precision 1..38, scale 0..precision", t.Precision, t.Scale)
		}
		return nil
	}
	return fmt.Errorf("unknown column type %q", t.Kind)
}
