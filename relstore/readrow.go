package relstore

import (
	"encoding/binary"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// scanReadRow decodes one row of a read statement — (t integer, k
// bigint[], v text[]) — from its binary wire values: the text values of a
// row share one string allocation and one slice of headers, where pgx's
// reflective array scan allocated per element (a third of a query page's
// client CPU went to Scan). A row in another shape or format is left to
// rows.Scan (scanReadRowSlow). The strings returned stay valid after the
// next row. The destinations do not escape, so the caller's row can live
// on its stack.
func scanReadRow(rows pgx.Rows, t *int32, keys *[]int64, vals *[]*string) error {
	fds := rows.FieldDescriptions()
	raw := rows.RawValues()
	if len(fds) != 3 || len(raw) != 3 ||
		fds[0].Format != pgx.BinaryFormatCode || fds[0].DataTypeOID != pgtype.Int4OID ||
		fds[1].Format != pgx.BinaryFormatCode || fds[1].DataTypeOID != pgtype.Int8ArrayOID ||
		fds[2].Format != pgx.BinaryFormatCode || fds[2].DataTypeOID != pgtype.TextArrayOID {
		return scanReadRowSlow(rows, t, keys, vals)
	}
	if len(raw[0]) != 4 {
		return scanReadRowSlow(rows, t, keys, vals)
	}
	*t = int32(binary.BigEndian.Uint32(raw[0]))
	ks, err := decodeInt8Array(raw[1], (*keys)[:0])
	if err != nil {
		return err
	}
	*keys = ks
	vs, err := decodeTextArray(raw[2], (*vals)[:0])
	if err != nil {
		return err
	}
	*vals = vs
	return nil
}

// scanReadRowSlow is rows.Scan into variables of its own, which escape to
// the heap (as pgx's Scan takes interfaces) on this path only.
func scanReadRowSlow(rows pgx.Rows, t *int32, keys *[]int64, vals *[]*string) error {
	var tt int32
	var kk []int64
	var vv []*string
	if err := rows.Scan(&tt, &kk, &vv); err != nil {
		return err
	}
	*t, *keys, *vals = tt, kk, vv
	return nil
}

var errArrayFormat = errors.New("relstore: malformed binary array in a read statement's row")

// arrayElements reads a binary array's header: the element count of a
// one-dimensional array (0 for an empty one) and the elements' bytes.
func arrayElements(src []byte) (n int, rest []byte, err error) {
	if len(src) < 12 {
		return 0, nil, errArrayFormat
	}
	ndim := int32(binary.BigEndian.Uint32(src))
	switch ndim {
	case 0:
		return 0, nil, nil
	case 1:
	default:
		return 0, nil, errArrayFormat
	}
	if len(src) < 20 {
		return 0, nil, errArrayFormat
	}
	n = int(int32(binary.BigEndian.Uint32(src[12:])))
	if n < 0 {
		return 0, nil, errArrayFormat
	}
	return n, src[20:], nil
}

// decodeInt8Array appends the elements of a binary bigint[] to dst (a NULL
// array or element is an error: the statements write none).
func decodeInt8Array(src []byte, dst []int64) ([]int64, error) {
	if src == nil {
		return nil, errArrayFormat
	}
	n, rest, err := arrayElements(src)
	if err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		if len(rest) < 12 || int32(binary.BigEndian.Uint32(rest)) != 8 {
			return nil, errArrayFormat
		}
		dst = append(dst, int64(binary.BigEndian.Uint64(rest[4:])))
		rest = rest[12:]
	}
	return dst, nil
}

// decodeTextArray appends the elements of a binary text[] to dst, nil for
// NULL; a NULL array yields nil.
func decodeTextArray(src []byte, dst []*string) ([]*string, error) {
	if src == nil {
		return nil, nil
	}
	n, rest, err := arrayElements(src)
	if err != nil {
		return nil, err
	}
	if n > len(rest)/4 {
		return nil, errArrayFormat
	}
	// One string holding every element's bytes (the lengths are left in,
	// unused), one slice of headers and dst grown once: three allocations
	// per row.
	all := string(rest)
	strs := make([]string, n)
	dst = slices.Grow(dst, n)
	off := 0
	for i := 0; i < n; i++ {
		if len(rest)-off < 4 {
			return nil, errArrayFormat
		}
		l := int(int32(binary.BigEndian.Uint32(rest[off:])))
		off += 4
		if l < 0 {
			dst = append(dst, nil)
			continue
		}
		if len(rest)-off < l {
			return nil, errArrayFormat
		}
		strs[i] = all[off : off+l]
		dst = append(dst, &strs[i])
		off += l
	}
	return dst, nil
}
