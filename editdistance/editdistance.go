// Package editdistance measures how far apart two names are, for "did you
// mean" suggestions in the CLI and the server.
package editdistance

// Within returns the Levenshtein distance of a and b (in bytes) when it is
// at most limit; ok is false otherwise. Strings whose lengths differ by
// more than limit are rejected without work, and the computation stops as
// soon as a whole row exceeds limit, so a long name costs little.
func Within(a, b string, limit int) (d int, ok bool) {
	if limit < 0 || len(a)-len(b) > limit || len(b)-len(a) > limit {
		return 0, false
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return 0, false
		}
		prev, cur = cur, prev
	}
	if prev[len(b)] > limit {
		return 0, false
	}
	return prev[len(b)], true
}
