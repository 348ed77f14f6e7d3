package relstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// multixactBlocks sums the MultiXact SLRU page activity of the server
// (pg_stat_slru, PostgreSQL 13+): pages zeroed are new MultiXact storage.
func multixactBlocks(b *testing.B, env *relstoretest.Env) int64 {
	b.Helper()
	var n int64
	err := env.Pool.QueryRow(context.Background(), `SELECT coalesce(sum(blks_zeroed + blks_written), 0) FROM pg_stat_slru WHERE name LIKE 'MultiXact%'`).Scan(&n)
	if err != nil {
		b.Skipf("pg_stat_slru: %v", err)
	}
	return n
}

// BenchmarkHotRow measures concurrent writers that all reference one
// descriptor (every write share-locks the same dms.IdentityLock row, which
// PostgreSQL records as a MultiXact) against writers that each reference
// their own descriptor (the baseline). It reports documents/s and the
// MultiXact SLRU pages written per 1,000 writes. The result decides
// whether row locks must give way to advisory locks (docs/runtime.md).
func BenchmarkHotRow(b *testing.B) {
	for _, c := range []struct {
		name string
		hot  bool
	}{{"baseline", false}, {"hot", true}} {
		b.Run(c.name, func(b *testing.B) {
			env := relstoretest.New(b, "hotrow"+c.name)
			ctx := context.Background()
			const writers = 8
			for i := 0; i < writers; i++ {
				if _, err := env.Store.Upsert(ctx, "example", "gradeLevelDescriptors", []byte(fmt.Sprintf(`{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"G%d","shortDescription":"G%d"}`, i, i))); err != nil {
					b.Fatal(err)
				}
			}
			var next, worker atomic.Int64
			mx0 := multixactBlocks(b, env)
			b.SetParallelism(writers / 2) // 2 cores → 8 goroutines
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				w := worker.Add(1) % writers
				for pb.Next() {
					g := w
					if c.hot {
						g = 0
					}
					body := fmt.Sprintf(`{"schoolId":%d,"nameOfInstitution":"S","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#G%d"}]}`, 1000000+next.Add(1), g)
					if _, err := env.Store.Upsert(ctx, "example", "schools", []byte(body)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
			b.ReportMetric(float64(multixactBlocks(b, env)-mx0)*1000/float64(b.N), "mxpages/1k-writes")
		})
	}
}
