package model

import (
	"fmt"

	"github.com/edfi-dmsc/dmsc/dms"
)

// TypeKind is a logical column type.
type TypeKind string

// The logical column types.
const (
	Int16    TypeKind = "Int16"
	Int32    TypeKind = "Int32"
	Int64    TypeKind = "Int64"
	String   TypeKind = "String"
	Decimal  TypeKind = "Decimal"
	Date     TypeKind = "Date"
	DateTime TypeKind = "DateTime"
	Time     TypeKind = "Time"
	Boolean  TypeKind = "Boolean"
)

// Type is a logical column type with its facets.
type Type struct {
	// Kind is the logical kind.
	Kind TypeKind `json:"kind"`
	// MaxLength is the character limit of a String.
	MaxLength int `json:"max_length,omitempty"`
	// Precision and Scale describe a Decimal.
	Precision int `json:"precision,omitempty"`
	Scale     int `json:"scale,omitempty"`
}

// String renders the type compactly (`String(75)`, `Decimal(9,2)`).
func (t Type) String() string {
	switch t.Kind {
	case String:
		return fmt.Sprintf("String(%d)", t.MaxLength)
	case Decimal:
		return fmt.Sprintf("Decimal(%d,%d)", t.Precision, t.Scale)
	}
	return string(t.Kind)
}

// DescriptorURIType is the type of a descriptor URI (namespace + '#' +
// codeValue: 255 + 1 + 50).
var DescriptorURIType = Type{Kind: String, MaxLength: dms.URILength}

// FallbackDecimalPrecision and FallbackDecimalScale give the type of a
// number without decimalPropertyValidationInfos: decimal(18,4), as upstream
// DMS does (older ApiSchema files such as DS 5.0 carry no decimal infos).
// The compiler reports each fallback as a warning, and the runtime rejects
// values that do not fit instead of rounding them.
const (
	FallbackDecimalPrecision = 18
	FallbackDecimalScale     = 4
)

// Widest returns a type that holds values of both a and b, or false when
// the kinds are incompatible.
func Widest(a, b Type) (Type, bool) {
	if a.Kind == b.Kind {
		switch a.Kind {
		case String:
			if b.MaxLength > a.MaxLength {
				a.MaxLength = b.MaxLength
			}
		case Decimal:
			intDigits := max(a.Precision-a.Scale, b.Precision-b.Scale)
			scale := max(a.Scale, b.Scale)
			a.Precision, a.Scale = min(intDigits+scale, 38), scale
		}
		return a, true
	}
	ints := map[TypeKind]int{Int16: 1, Int32: 2, Int64: 3}
	if ints[a.Kind] > 0 && ints[b.Kind] > 0 {
		if ints[b.Kind] > ints[a.Kind] {
			return b, true
		}
		return a, true
	}
	return Type{}, false
}
