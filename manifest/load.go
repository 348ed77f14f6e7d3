package manifest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/edfi-dmsc/dmsc/boundedfile"
)

//go:embed manifest.schema.json
var schemaJSON []byte

// SchemaJSON returns the JSON Schema (draft 2020-12) that every manifest
// satisfies.
func SchemaJSON() []byte { return append([]byte(nil), schemaJSON...) }

var (
	compileOnce sync.Once
	compiled    *jsonschema.Schema
	compileErr  error
)

func schema() (*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
		if err != nil {
			compileErr = fmt.Errorf("manifest: embedded schema: %w", err)
			return
		}
		c := jsonschema.NewCompiler()
		const url = "manifest.schema.json"
		if err := c.AddResource(url, doc); err != nil {
			compileErr = fmt.Errorf("manifest: embedded schema: %w", err)
			return
		}
		compiled, compileErr = c.Compile(url)
	})
	return compiled, compileErr
}

// ErrUnsupportedVersion is returned (wrapped) for a manifest whose major
// format version this package does not know.
var ErrUnsupportedVersion = errors.New("unsupported manifest format version")

// MaxFileSize is the largest manifest file LoadFile reads (the DS 5.0
// manifest is about 2.6 MB).
const MaxFileSize = 256 << 20

// LoadFile reads and validates a manifest file (a regular file of at most
// MaxFileSize bytes).
func LoadFile(path string) (*Manifest, error) {
	data, err := boundedfile.Read(path, MaxFileSize, "a manifest")
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	m, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Load reads and validates a manifest from r.
func Load(r io.Reader) (*Manifest, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return Decode(data)
}

// Decode validates data against the manifest JSON Schema and decodes it.
// A manifest of another major format version is rejected with
// ErrUnsupportedVersion before schema validation.
func Decode(data []byte) (*Manifest, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("manifest: invalid JSON: %w", err)
	}
	if obj, ok := doc.(map[string]any); ok {
		if v, ok := obj["format_version"].(string); ok {
			major, _, _ := strings.Cut(v, ".")
			want, _, _ := strings.Cut(FormatVersion, ".")
			if major != want {
				return nil, fmt.Errorf("manifest: format version %q: %w (this dmsc reads %s.x; regenerate the manifest with a matching dmsc)", v, ErrUnsupportedVersion, want)
			}
		}
	}
	s, err := schema()
	if err != nil {
		return nil, err
	}
	if err := s.Validate(doc); err != nil {
		return nil, fmt.Errorf("manifest: does not match manifest.schema.json: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return &m, nil
}
