package relstore

// SetManyClaims sets the claim count from which query pages probe per
// row, and returns a function restoring it (tests exercise both forms
// with small grants).
func SetManyClaims(n int) (restore func()) {
	old := manyClaims
	manyClaims = n
	return func() { manyClaims = old }
}

// SetBeforeURIFetch sets the function a read calls before it fetches the
// descriptor URIs its map lacked, and returns a function restoring none.
func SetBeforeURIFetch(f func()) (restore func()) {
	beforeURIFetch = f
	return func() { beforeURIFetch = nil }
}

// SetBeforeCollisionCheck sets the function a write whose new identity
// collides calls before it checks the grant on the identity's holder, and
// returns a function restoring none.
func SetBeforeCollisionCheck(f func()) (restore func()) {
	beforeCollisionCheck = f
	return func() { beforeCollisionCheck = nil }
}

// SetMaxWriteShapes sets the number of shapes a resource keeps write
// statements for, and returns a function restoring it.
func SetMaxWriteShapes(n int) (restore func()) {
	old := maxWriteShapes
	maxWriteShapes = n
	return func() { maxWriteShapes = old }
}
