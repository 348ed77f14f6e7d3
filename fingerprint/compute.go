package fingerprint

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
)

// ProjectInput is what Compute needs to know about one project of a schema
// set. It is independent of any loader: fill it from an ApiSchema file.
type ProjectInput struct {
	// EndpointName is the project's endpoint name (projectEndpointName, or
	// the key of projectSchemas in the older format), e.g. "ed-fi".
	EndpointName string
	// ProjectName is the project's projectName, e.g. "Ed-Fi".
	ProjectName string
	// ProjectVersion is the project's projectVersion; it is also the
	// version of each of its resource keys.
	ProjectVersion string
	// IsExtension is the project's isExtensionProject.
	IsExtension bool
	// Project is the decoded project object (decoded with
	// Decoder.UseNumber), hashed by ProjectHash. It is not modified.
	Project any
	// ResourceNames are the resourceName values of the project's
	// resourceSchemas entries that are not resource extensions
	// (isResourceExtension false); descriptors are included.
	ResourceNames []string
	// AbstractResourceNames are the keys of the project's
	// abstractResources.
	AbstractResourceNames []string
}

// Compute returns the effective-schema manifest of a schema set: each
// project's hash, the effective schema hash for mappingVersion (MappingVersion
// for dmsc's own output, UpstreamMappingVersion to reproduce upstream), and
// the resource keys with their seed hash. apiSchemaFormatVersion is the
// files' shared apiSchemaVersion. The order of projects does not matter.
//
// It reports every problem it finds, joined: an empty endpoint or project
// name, a repeated endpoint name, a project that cannot be hashed, a
// repeated resource, or more than MaxResourceKeys resources.
func Compute(apiSchemaFormatVersion, mappingVersion string, projects []ProjectInput) (*EffectiveSchema, error) {
	var errs []error
	components := make([]SchemaComponent, 0, len(projects))
	var entries []ResourceKey
	seen := make(map[string]bool, len(projects))
	for i, p := range projects {
		where := fmt.Sprintf("fingerprint: project %d (%q)", i, p.EndpointName)
		if p.EndpointName == "" {
			errs = append(errs, fmt.Errorf("%s: empty endpoint name", where))
		} else if seen[p.EndpointName] {
			errs = append(errs, fmt.Errorf("%s: endpoint name used by an earlier project", where))
		}
		seen[p.EndpointName] = true
		if p.ProjectName == "" {
			errs = append(errs, fmt.Errorf("%s: empty project name", where))
		}
		hash, err := ProjectHash(p.Project)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		components = append(components, SchemaComponent{
			ProjectEndpointName: p.EndpointName,
			ProjectName:         p.ProjectName,
			ProjectVersion:      p.ProjectVersion,
			IsExtensionProject:  p.IsExtension,
			ProjectHash:         hash,
		})
		for _, names := range [][]string{p.ResourceNames, p.AbstractResourceNames} {
			for _, name := range names {
				entries = append(entries, ResourceKey{
					ProjectName:     p.ProjectName,
					ResourceName:    name,
					ResourceVersion: p.ProjectVersion,
				})
			}
		}
	}
	keys, err := AssignResourceKeys(entries)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortStableFunc(components, func(a, b SchemaComponent) int {
		return CompareOrdinal(a.ProjectEndpointName, b.ProjectEndpointName)
	})
	seed := ResourceKeySeedHash(keys)
	return &EffectiveSchema{
		APISchemaFormatVersion:   apiSchemaFormatVersion,
		RelationalMappingVersion: mappingVersion,
		EffectiveSchemaHash:      EffectiveSchemaHash(apiSchemaFormatVersion, mappingVersion, components),
		ResourceKeyCount:         len(keys),
		ResourceKeySeedHash:      hex.EncodeToString(seed[:]),
		SchemaComponents:         components,
		ResourceKeys:             keys,
	}, nil
}
