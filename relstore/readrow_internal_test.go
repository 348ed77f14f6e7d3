package relstore

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestScanReadRowAsPgx: scanReadRow decodes what pgx's Scan decodes, on
// rows of a read statement's shape holding NULL arrays, empty arrays,
// NULL elements, empty strings, multi-byte text and long values, through
// both a prepared (binary) and a simple-protocol (text, left to Scan)
// query.
func TestScanReadRowAsPgx(t *testing.T) {
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, testenv.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	long := strings.Repeat("x€", 5000)
	const sql = `SELECT * FROM (VALUES
  (0, ARRAY[1::bigint], ARRAY['a', NULL, '', 'é€😀', $1]::text[]),
  (-1, ARRAY[9007199254740993::bigint], NULL::text[]),
  (2, ARRAY[5::bigint, -7, 0], ARRAY[]::text[]),
  (3, ARRAY[]::bigint[], ARRAY[NULL, NULL]::text[])
) v(t, k, v)`
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		type row struct {
			T    int32
			K    []int64
			V    []*string
			Nils []bool
		}
		read := func(decode func(rows pgx.Rows, r *row) error) []row {
			rows, err := conn.Query(ctx, sql, mode, long)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []row
			var r row
			if mode == pgx.QueryExecModeCacheStatement && rows.Next() {
				// The prepared query reaches the binary decoding.
				for i, fd := range rows.FieldDescriptions() {
					if fd.Format != pgx.BinaryFormatCode {
						t.Fatalf("column %d in format %d", i, fd.Format)
					}
				}
				if err := decode(rows, &r); err != nil {
					t.Fatal(err)
				}
				out = append(out, row{T: r.T, K: append([]int64{}, r.K...), V: r.V, Nils: nils(r.V)})
			}
			for rows.Next() {
				if err := decode(rows, &r); err != nil {
					t.Fatal(err)
				}
				out = append(out, row{T: r.T, K: append([]int64{}, r.K...), V: append([]*string{}, r.V...), Nils: nils(r.V)})
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		}
		want := read(func(rows pgx.Rows, r *row) error { r.K, r.V = nil, nil; return rows.Scan(&r.T, &r.K, &r.V) })
		got := read(func(rows pgx.Rows, r *row) error { return scanReadRow(rows, &r.T, &r.K, &r.V) })
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("mode %v (-pgx +scanReadRow):\n%s", mode, diff)
		}
	}
}

// nils reports which values are NULL.
func nils(v []*string) []bool {
	out := make([]bool, len(v))
	for i, s := range v {
		out[i] = s == nil
	}
	return out
}

// TestDecodeArraysRefuseMalformed: truncated or multi-dimensional arrays
// are errors, never a panic.
func TestDecodeArraysRefuseMalformed(t *testing.T) {
	good := []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 'h', 'i'}
	if v, err := decodeTextArray(good, nil); err != nil || len(v) != 1 || *v[0] != "hi" {
		t.Fatalf("good array: %v %v", v, err)
	}
	for i := 0; i < len(good); i++ {
		if _, err := decodeTextArray(good[:i], nil); err == nil {
			t.Errorf("text[] truncated to %d bytes: no error", i)
		}
		if _, err := decodeInt8Array(good[:i], nil); err == nil {
			t.Errorf("bigint[] truncated to %d bytes: no error", i)
		}
	}
	twoDim := append([]byte{0, 0, 0, 2}, good[4:]...)
	if _, err := decodeTextArray(twoDim, nil); err == nil {
		t.Error("two dimensions: no error")
	}
}

// FuzzDecodeArrays: arbitrary bytes decode or fail, never panic.
func FuzzDecodeArrays(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 'h', 'i'})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeTextArray(b, nil)
		_, _ = decodeInt8Array(b, nil)
	})
}
