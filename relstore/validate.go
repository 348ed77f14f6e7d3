package relstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/refid"
)

// Validator runs the runtime's validation and flattening of a write on one
// document without a database: what Upsert checks before its first round
// trip. Tools that must know in advance whether the store will accept a
// document (a migration preflight) use it. It is safe for concurrent use.
type Validator struct {
	s *Store
}

// NewValidator builds the per-resource plans of m (as Open does, with the
// same errors) without connecting to a database.
func NewValidator(m *manifest.Manifest) (*Validator, error) {
	if m == nil {
		return nil, errors.New("relstore.NewValidator: nil manifest")
	}
	s := &Store{m: m}
	if err := s.buildPlans(); err != nil {
		return nil, err
	}
	return &Validator{s: s}, nil
}

// Problem codes of a Validation: what kind of value or structure the store
// refuses. They are stable (tools print and match them).
const (
	// CodeIntegerOutOfRange: an integer that does not fit its column's
	// 16-, 32- or 64-bit type.
	CodeIntegerOutOfRange = "integer-out-of-range"
	// CodeDecimalOutOfRange: a decimal with more decimal places or more
	// digits than its column's scale and precision.
	CodeDecimalOutOfRange = "decimal-out-of-range"
	// CodeStringTooLong: a string longer than its column's maxLength.
	CodeStringTooLong = "string-too-long"
	// CodeDateOutOfRange: a date, time or date-time the store cannot hold
	// exactly (before year 1 or after 9999 in UTC, or finer than
	// microseconds).
	CodeDateOutOfRange = "date-out-of-range"
	// CodeInvalidDocument: any other problem (a missing required value, a
	// wrong type, a pattern, an enumeration, array uniqueness, …).
	CodeInvalidDocument = "invalid-document"
)

// ValidationProblem is one problem of a document with its code.
type ValidationProblem struct {
	Problem
	// Code classifies the problem (the Code* constants).
	Code string `json:"code"`
}

// ValidatedReference is one reference or descriptor of a valid document:
// what the write would resolve against dms.ReferentialIdentity.
type ValidatedReference struct {
	// Path is the reference object's or descriptor's path with concrete
	// indexes.
	Path string `json:"path"`
	// Target is the referenced resource, `Project:Resource` (an abstract
	// resource for a polymorphic reference, the descriptor resource for a
	// descriptor).
	Target string `json:"target"`
	// Descriptor marks a descriptor value.
	Descriptor bool `json:"descriptor,omitempty"`
	// ReferentialID is the target's ReferentialId (current format).
	ReferentialID refid.UUID `json:"referential_id"`
	// Value is the descriptor URI, or the reference's identity values
	// joined by ", ".
	Value string `json:"value"`
}

// Validation is the outcome of validating one document.
type Validation struct {
	// Problems lists every problem sorted by path (empty: the store
	// accepts the document, provided its references resolve).
	Problems []ValidationProblem
	// Pruned lists the properties the mapping does not know, which a
	// write removes (overposting), sorted.
	Pruned []string
	// ReferentialID is the document's own ReferentialId (zero when it has
	// problems).
	ReferentialID refid.UUID
	// SuperclassAlias is the ReferentialId of the document's superclass
	// alias (a School as an EducationOrganization), when HasAlias.
	SuperclassAlias refid.UUID
	// HasAlias reports a subclass document's alias.
	HasAlias bool
	// References are the document's references and descriptors in
	// document order (only when it has no problems).
	References []ValidatedReference
}

// Validate validates and flattens body as a document of the resource
// projectName:resourceName, writing nothing. The metadata properties id,
// _etag, _lastModifiedDate and link are ignored as a write ignores them.
// An unknown resource is an error wrapping ErrNotFound; an invalid
// document is a Validation with Problems, not an error.
func (v *Validator) Validate(projectName, resourceName string, body []byte) (*Validation, error) {
	p, ok := v.s.byName[projectName+":"+resourceName]
	if !ok {
		return nil, fmt.Errorf("%w: the schema set has no resource %s:%s", ErrNotFound, projectName, resourceName)
	}
	out := &Validation{}
	doc, err := decodeDocument(body)
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			for _, pr := range ve.Problems {
				out.Problems = append(out.Problems, ValidationProblem{Problem: pr, Code: CodeInvalidDocument})
			}
			return out, nil
		}
		return nil, err
	}
	f := p.flatten(doc)
	out.Pruned = f.pruned
	for _, pr := range f.problems {
		out.Problems = append(out.Problems, ValidationProblem{Problem: pr, Code: problemCode(pr.Message)})
	}
	if len(out.Problems) > 0 {
		return out, nil
	}
	out.ReferentialID, out.SuperclassAlias, out.HasAlias = f.refID, f.aliasID, f.hasAlias
	for _, r := range f.refs {
		out.References = append(out.References, ValidatedReference{Path: r.path, Target: r.edge.name,
			Descriptor: r.edge.descriptor, ReferentialID: r.id, Value: r.value})
	}
	return out, nil
}

// problemCodes classifies the messages scalar.go writes for values the
// column types cannot hold (TestProblemCode pins each message).
var problemCodes = []struct{ fragment, code string }{
	{"-bit integer", CodeIntegerOutOfRange},
	{"decimal places", CodeDecimalOutOfRange},
	{"is longer than", CodeStringTooLong},
	{"is before 0001-01-01", CodeDateOutOfRange},
	{"is outside 0001-01-01", CodeDateOutOfRange},
	{"past microseconds", CodeDateOutOfRange},
}

// problemCode returns the code of a flatten problem message.
func problemCode(msg string) string {
	for _, c := range problemCodes {
		if strings.Contains(msg, c.fragment) {
			return c.code
		}
	}
	return CodeInvalidDocument
}
