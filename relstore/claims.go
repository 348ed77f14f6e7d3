package relstore

import (
	"context"
	"encoding/binary"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// claimIDs is a grant's EdOrg ids as the bigint[] parameter of a
// statement. pgx encodes a []int64 element by element through interfaces
// (a boxed value, a type lookup and a plan call per id): 250 µs and 10,000
// allocations for a grant of 10,000 schools, on every request. A pool
// from NewPool registers claimsCodec, which writes the binary array in one
// loop; on any other connection the type falls back to pgx's []int64
// encoding (its underlying type), with the same bytes on the wire.
type claimIDs []int64

// Binary array layout (PostgreSQL array_send): the header, then each
// element as its length and its big-endian value.
const (
	int8OID        = 20
	int8Len        = 8
	arrayHeaderLen = 5 * 4 // ndim, has-null flag, element type, length, lower bound
)

// appendBinary appends ids as a binary int8[] value (one dimension, also
// when empty, as pgx writes it).
func (ids claimIDs) appendBinary(buf []byte) []byte {
	buf = slices.Grow(buf, arrayHeaderLen+len(ids)*(4+int8Len))
	buf = binary.BigEndian.AppendUint32(buf, 1) // one dimension
	buf = binary.BigEndian.AppendUint32(buf, 0) // no NULL element
	buf = binary.BigEndian.AppendUint32(buf, int8OID)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(ids)))
	buf = binary.BigEndian.AppendUint32(buf, 1) // lower bound
	for _, id := range ids {
		buf = binary.BigEndian.AppendUint32(buf, int8Len)
		buf = binary.BigEndian.AppendUint64(buf, uint64(id))
	}
	return buf
}

// claimsCodec is pgx's bigint[] codec with a direct binary encoding of
// claimIDs; every other value and every scan go to the codec it wraps.
type claimsCodec struct{ pgtype.Codec }

// PlanEncode implements pgtype.Codec.
func (c claimsCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if _, ok := value.(claimIDs); ok && format == pgtype.BinaryFormatCode {
		return claimsPlan{}
	}
	return c.Codec.PlanEncode(m, oid, format, value)
}

// claimsPlan encodes a claimIDs value.
type claimsPlan struct{}

// Encode implements pgtype.EncodePlan.
func (claimsPlan) Encode(value any, buf []byte) ([]byte, error) {
	return value.(claimIDs).appendBinary(buf), nil
}

// registerClaimsCodec installs claimsCodec for bigint[] on a connection.
func registerClaimsCodec(_ context.Context, conn *pgx.Conn) error {
	m := conn.TypeMap()
	if t, ok := m.TypeForOID(pgtype.Int8ArrayOID); ok {
		if _, done := t.Codec.(claimsCodec); !done {
			m.RegisterType(&pgtype.Type{Name: t.Name, OID: t.OID, Codec: claimsCodec{t.Codec}})
		}
	}
	return nil
}
