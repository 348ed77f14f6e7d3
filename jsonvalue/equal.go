package jsonvalue

// Equal reports whether a and b are the same JSON value: objects with the
// same keys and equal values (in any order), arrays with equal items in the
// same order, numbers with the same exact value, and equal strings,
// booleans and nulls. It does not normalise: a null member differs from an
// absent one (use [Normalize] first for the round trip law).
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !Equal(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	xs, okA := numberText(a)
	ys, okB := numberText(b)
	return okA && okB && numbersEqual(xs, ys)
}
