package migrate

import (
	"errors"
	"iter"
	"strings"
	"testing"
)

// seqOf streams xs, then err when not nil; stopped is set when the
// stream's function returns (walked to its end or stopped early).
func seqOf[T any](xs []T, err error, stopped *bool) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if stopped != nil {
			defer func() { *stopped = true }()
		}
		for _, x := range xs {
			if !yield(x, nil) {
				return
			}
		}
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

// keyRows streams xs ordered by themselves.
func keyRows(label string, xs []string, err error, stopped *bool) sortedRows[string] {
	return sortedRows[string]{rows: seqOf(xs, err, stopped), key: func(s *string) string { return *s }, label: label}
}

// TestMergeSorted walks two small ordered streams: every key once, with
// the rows of the side(s) holding it; a stream out of order, a stream's
// error and the callback's error end the merge with that error, and the
// pulled stream is stopped however the merge ends.
func TestMergeSorted(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name       string
		a, b       []string
		aErr, bErr error
		failAt     string // fn fails at this key
		want       string
		err        string
	}{
		{name: "both empty"},
		{name: "a only", a: []string{"1", "2"}, want: "a1 a2"},
		{name: "b only", b: []string{"1", "2"}, want: "b1 b2"},
		{name: "interleaved", a: []string{"1", "3", "5", "7"}, b: []string{"2", "3", "4", "6", "7", "8", "9"}, want: "a1 b2 ab3 b4 a5 b6 ab7 b8 b9"},
		{name: "equal", a: []string{"1", "2"}, b: []string{"1", "2"}, want: "ab1 ab2"},
		{name: "prefix keys", a: []string{"1", "12"}, b: []string{"1\x002", "12"}, want: "a1 b1\x002 ab12"},
		{name: "a out of order", a: []string{"1", "3", "2"}, b: []string{"2"}, want: "a1 b2 a3", err: `A: rows out of order ("2" after "3")`},
		{name: "a duplicate", a: []string{"1", "1"}, want: "a1", err: `A: rows out of order ("1" after "1")`},
		{name: "b out of order", a: []string{"5"}, b: []string{"2", "1"}, want: "b2", err: `B: rows out of order ("1" after "2")`},
		{name: "a fails", a: []string{"1", "2"}, b: []string{"1", "3"}, aErr: boom, want: "ab1 a2", err: "boom"},
		{name: "b fails", a: []string{"1", "4"}, b: []string{"1", "3"}, bErr: boom, want: "ab1 b3", err: "boom"},
		{name: "fn fails", a: []string{"1", "2", "3"}, b: []string{"1", "2", "3"}, failAt: "2", want: "ab1", err: "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var bStopped bool
			err := mergeSorted(keyRows("A", tc.a, tc.aErr, nil), keyRows("B", tc.b, tc.bErr, &bStopped), func(a, b *string) error {
				k, side := "", ""
				if a != nil {
					k, side = *a, "a"
				}
				if b != nil {
					if a != nil && *a != *b {
						t.Errorf("paired %q with %q", *a, *b)
					}
					k, side = *b, side+"b"
				}
				if k == tc.failAt {
					return boom
				}
				got = append(got, side+k)
				return nil
			})
			if s := strings.Join(got, " "); s != tc.want {
				t.Errorf("calls %q, want %q", s, tc.want)
			}
			if (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
				t.Errorf("error %v, want %q", err, tc.err)
			}
			if !bStopped {
				t.Error("the pulled stream was not stopped")
			}
		})
	}
}
