package relstore

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// claimCases are the id lists the claims encoding is checked with.
func claimCases() map[string][]int64 {
	many := make([]int64, 10000)
	for i := range many {
		many[i] = 255901000 + int64(i)*7
	}
	return map[string][]int64{
		"empty":    {},
		"one":      {255901},
		"extremes": {math.MinInt64, -1, 0, 1, math.MaxInt64},
		"10000":    many,
	}
}

// TestClaimIDsEncodeAsPgx checks that claimsCodec writes the bytes pgx
// writes for the same []int64, after whatever the buffer held.
func TestClaimIDsEncodeAsPgx(t *testing.T) {
	m := pgtype.NewMap()
	for name, ids := range claimCases() {
		prefix := []byte("prefix")
		want, err := m.Encode(pgtype.Int8ArrayOID, pgtype.BinaryFormatCode, ids, bytes.Clone(prefix))
		if err != nil {
			t.Fatal(err)
		}
		got, err := claimsPlan{}.Encode(claimIDs(ids), bytes.Clone(prefix))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: claimIDs encode %d bytes, pgx %d (first difference at %d)", name, len(got), len(want), firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestClaimIDsOnTheServer sends claimIDs through a NewPool connection (the
// direct encoding, which it must use) and through a plain connection
// (pgx's own), and has PostgreSQL compare each with the array literal.
func TestClaimIDsOnTheServer(t *testing.T) {
	ctx := context.Background()
	dsn := testenv.PostgresDSN(t)
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := NewPool(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	plain, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close(ctx)
	pooled, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer pooled.Release()
	if plan := pooled.Conn().TypeMap().PlanEncode(pgtype.Int8ArrayOID, pgtype.BinaryFormatCode, claimIDs{1}); plan == nil {
		t.Fatal("no encode plan for claimIDs on a NewPool connection")
	} else if _, ok := plan.(claimsPlan); !ok {
		t.Fatalf("a NewPool connection encodes claimIDs with %T, not claimsPlan", plan)
	}
	for name, ids := range claimCases() {
		for conn, q := range map[string]interface {
			QueryRow(context.Context, string, ...any) pgx.Row
		}{"NewPool": pooled, "plain": plain} {
			var n int
			var equal bool
			if err := q.QueryRow(ctx, `SELECT cardinality($1::bigint[]), $1::bigint[] = $2::text::bigint[]`,
				claimIDs(ids), literal(ids)).Scan(&n, &equal); err != nil {
				t.Fatalf("%s, %s: %v", name, conn, err)
			}
			if n != len(ids) || !equal {
				t.Errorf("%s, %s: the server read %d ids, equal to the literal: %v", name, conn, n, equal)
			}
		}
	}
}

// literal is ids as a PostgreSQL array literal.
func literal(ids []int64) string {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte('}')
	return b.String()
}
