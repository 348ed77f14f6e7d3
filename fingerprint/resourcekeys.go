package fingerprint

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// MaxResourceKeys is the largest number of resource keys: ids are smallint.
const MaxResourceKeys = math.MaxInt16

// resourceKeySeedHeader is the first line of the resource key seed hash.
const resourceKeySeedHeader = "resource-key-seed-hash:v1\n"

// ResourceKey is one dms.ResourceKey row: a resource (concrete, descriptor or
// abstract; never a resource extension) and its small integer id.
type ResourceKey struct {
	// ID is the resource key id, 1..N in (ProjectName, ResourceName) order.
	ID int16 `json:"resource_key_id"`
	// ProjectName is the name of the project that defines the resource.
	ProjectName string `json:"project_name"`
	// ResourceName is the resource's name, e.g. "School".
	ResourceName string `json:"resource_name"`
	// ResourceVersion is the version of the defining project.
	ResourceVersion string `json:"resource_version"`
}

// AssignResourceKeys returns the entries sorted by (ProjectName,
// ResourceName) in ordinal order (see CompareOrdinal) with ids 1..N; the
// entries' own ID fields are ignored and entries is not modified. Two entries
// with the same project and resource name, or more than MaxResourceKeys
// entries, are an error.
func AssignResourceKeys(entries []ResourceKey) ([]ResourceKey, error) {
	if len(entries) > MaxResourceKeys {
		return nil, fmt.Errorf("fingerprint: %d resources exceed the %d resource keys a smallint id allows", len(entries), MaxResourceKeys)
	}
	keys := slices.Clone(entries)
	slices.SortStableFunc(keys, compareResource)
	var errs []error
	for i := range keys {
		if i > 0 && compareResource(keys[i-1], keys[i]) == 0 &&
			(i == 1 || compareResource(keys[i-2], keys[i]) != 0) {
			errs = append(errs, fmt.Errorf("fingerprint: duplicate resource %s.%s", keys[i].ProjectName, keys[i].ResourceName))
		}
		keys[i].ID = int16(i + 1)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return keys, nil
}

// compareResource orders resource keys by project name, then resource name.
func compareResource(a, b ResourceKey) int {
	if c := CompareOrdinal(a.ProjectName, b.ProjectName); c != 0 {
		return c
	}
	return CompareOrdinal(a.ResourceName, b.ResourceName)
}

// ResourceKeySeedHash returns the raw SHA-256 over the UTF-8 text
// "resource-key-seed-hash:v1\n" followed by one line
// "<id>|<projectName>|<resourceName>|<resourceVersion>\n" per key, in id
// order. keys is not modified.
func ResourceKeySeedHash(keys []ResourceKey) [sha256.Size]byte {
	sorted := slices.Clone(keys)
	slices.SortStableFunc(sorted, func(a, b ResourceKey) int { return cmpInt(a.ID, b.ID) })
	buf := []byte(resourceKeySeedHeader)
	for _, k := range sorted {
		buf = strconv.AppendInt(buf, int64(k.ID), 10)
		buf = append(buf, '|')
		buf = append(buf, k.ProjectName...)
		buf = append(buf, '|')
		buf = append(buf, k.ResourceName...)
		buf = append(buf, '|')
		buf = append(buf, k.ResourceVersion...)
		buf = append(buf, '\n')
	}
	return sha256.Sum256(buf)
}
