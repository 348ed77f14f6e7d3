package relstore

// SetManyClaims sets the claim count from which query pages probe per
// row, and returns a function restoring it (tests exercise both forms
// with small grants).
func SetManyClaims(n int) (restore func()) {
	old := manyClaims
	manyClaims = n
	return func() { manyClaims = old }
}
