package cli

import (
	"testing"
	"time"
)

func TestProgressText(t *testing.T) {
	for _, c := range []struct {
		done, total int64
		elapsed     time.Duration
		want        string
	}{
		{0, 818, 0, "p: 0/818 documents (0%)"},
		{200, 800, 10 * time.Second, "p: 200/800 documents (25%, ETA 30s)"},
		{11, 110858, 10 * time.Millisecond, "p: 11/110858 documents (0%)"},
		{800, 800, 40 * time.Second, "p: 800/800 documents (100%)"},
		{5, 0, time.Second, "p: 5/0 documents"},
	} {
		if got := progressText("p", "documents", c.done, c.total, c.elapsed); got != c.want {
			t.Errorf("progressText(%d, %d) = %q, want %q", c.done, c.total, got, c.want)
		}
	}
}
