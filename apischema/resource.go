package apischema

import (
	"sort"
)

// resource parses one `resourceSchemas` entry.
func (r *reader) resource(p *Project, raw any, base, endpoint string) *Resource {
	m, ok := r.obj(raw, base)
	if !ok {
		return nil
	}
	res := &Resource{Project: p, EndpointName: endpoint, Path: base}
	res.ResourceName = r.str(m, base, "resourceName", true)
	res.IsDescriptor, _ = r.boolean(m, base, "isDescriptor", true)
	res.IsSchoolYearEnumeration, _ = r.boolean(m, base, "isSchoolYearEnumeration", false)
	res.IsResourceExtension, _ = r.boolean(m, base, "isResourceExtension", true)
	res.IsSubclass, _ = r.boolean(m, base, "isSubclass", false)
	res.AllowIdentityUpdates, _ = r.boolean(m, base, "allowIdentityUpdates", false)
	if res.IsSubclass {
		res.SubclassType = r.str(m, base, "subclassType", true)
		res.SuperclassProjectName = r.str(m, base, "superclassProjectName", true)
		res.SuperclassResourceName = r.str(m, base, "superclassResourceName", true)
		res.SuperclassIdentityJSONPath = r.str(m, base, "superclassIdentityJsonPath", false)
		if res.SuperclassIdentityJSONPath != "" {
			r.jsonPath(res.SuperclassIdentityJSONPath, keyPath(base, "superclassIdentityJsonPath"))
		}
	}
	res.IdentityJSONPaths = r.jsonPaths(m, base, "identityJsonPaths", !res.IsResourceExtension)
	if dpm, ok := r.object(m, base, "documentPathsMapping", true); ok {
		db := keyPath(base, "documentPathsMapping")
		for _, key := range sortedKeys(dpm) {
			if pm := r.pathMapping(dpm[key], keyPath(db, key), key); pm != nil {
				pm.Owner = p
				res.Mappings = append(res.Mappings, pm)
			}
		}
	}
	r.uniqueness(res, m, base)
	r.decimals(res, m, base)
	r.equality(res, m, base)
	r.queryFields(res, m, base)
	r.commonOverrides(res, m, base)
	r.relational(res, m, base)
	r.securable(res, m, base)
	if s, ok := r.field(m, base, "jsonSchemaForInsert", true); ok {
		res.Schema = r.node(s, keyPath(base, "jsonSchemaForInsert"))
		if res.Schema != nil && res.Schema.Type != "object" {
			r.diags.Errorf(r.file, keyPath(base, "jsonSchemaForInsert"), CodeWrongType, "jsonSchemaForInsert must describe an object, found type %q", res.Schema.Type)
		}
		r.checkRequired(res)
	}
	if !res.IsDescriptor && !res.IsResourceExtension {
		for _, k := range []string{"arrayUniquenessConstraints"} {
			if _, ok := m[k]; !ok {
				res.MissingKeys = append(res.MissingKeys, k)
			}
		}
	}
	return res
}

func (r *reader) pathMapping(raw any, base, key string) *PathMapping {
	m, ok := r.obj(raw, base)
	if !ok {
		return nil
	}
	pm := &PathMapping{Key: key, Path: base}
	pm.IsReference, _ = r.boolean(m, base, "isReference", true)
	pm.IsDescriptor, _ = r.boolean(m, base, "isDescriptor", false)
	pm.IsPartOfIdentity, pm.HasIsPartOfIdentity = r.boolean(m, base, "isPartOfIdentity", false)
	pm.IsRequired, pm.HasIsRequired = r.boolean(m, base, "isRequired", false)
	pm.Type = r.str(m, base, "type", false)
	needPath := !pm.IsReference || pm.IsDescriptor
	if s := r.str(m, base, "path", needPath); s != "" {
		pm.JSONPath, pm.HasJSONPath = r.jsonPath(s, keyPath(base, "path"))
	}
	if pm.IsReference {
		pm.ProjectName = r.str(m, base, "projectName", true)
		pm.ResourceName = r.str(m, base, "resourceName", true)
	}
	if pm.IsReference && !pm.IsDescriptor {
		arr, ok := r.array(m, base, "referenceJsonPaths", true)
		if ok && len(arr) == 0 {
			r.diags.Errorf(r.file, keyPath(base, "referenceJsonPaths"), CodeBadValue, "a document reference needs at least one referenceJsonPaths entry")
		}
		for i, e := range arr {
			eb := indexPath(keyPath(base, "referenceJsonPaths"), i)
			em, ok := r.obj(e, eb)
			if !ok {
				continue
			}
			var rp ReferenceJSONPath
			var ok1, ok2 bool
			rp.IdentityJSONPath, ok1 = r.jsonPath(r.str(em, eb, "identityJsonPath", true), keyPath(eb, "identityJsonPath"))
			rp.ReferenceJSONPath, ok2 = r.jsonPath(r.str(em, eb, "referenceJsonPath", true), keyPath(eb, "referenceJsonPath"))
			rp.Type = r.str(em, eb, "type", false)
			if ok1 && ok2 {
				pm.ReferenceJSONPaths = append(pm.ReferenceJSONPaths, rp)
			}
		}
	}
	return pm
}

func (r *reader) uniqueness(res *Resource, m map[string]any, base string) {
	arr, ok := r.array(m, base, "arrayUniquenessConstraints", false)
	if !ok {
		return
	}
	ab := keyPath(base, "arrayUniquenessConstraints")
	for i, e := range arr {
		eb := indexPath(ab, i)
		em, ok := r.obj(e, eb)
		if !ok {
			continue
		}
		uc := UniquenessConstraint{Path: eb, Owner: res.Project}
		uc.Paths = r.jsonPaths(em, eb, "paths", false)
		if nested, ok := r.array(em, eb, "nestedConstraints", false); ok {
			for j, n := range nested {
				nb := indexPath(keyPath(eb, "nestedConstraints"), j)
				nm, ok := r.obj(n, nb)
				if !ok {
					continue
				}
				bp, _ := r.jsonPath(r.str(nm, nb, "basePath", true), keyPath(nb, "basePath"))
				uc.Nested = append(uc.Nested, NestedUniqueness{BasePath: bp, Paths: r.jsonPaths(nm, nb, "paths", true), Path: nb})
			}
		}
		if len(uc.Paths) == 0 && len(uc.Nested) == 0 {
			r.diags.Errorf(r.file, eb, CodeBadValue, "uniqueness constraint has neither paths nor nestedConstraints")
			continue
		}
		res.Uniqueness = append(res.Uniqueness, uc)
	}
}

func (r *reader) decimals(res *Resource, m map[string]any, base string) {
	arr, ok := r.array(m, base, "decimalPropertyValidationInfos", false)
	if !ok {
		return
	}
	ab := keyPath(base, "decimalPropertyValidationInfos")
	for i, e := range arr {
		eb := indexPath(ab, i)
		em, ok := r.obj(e, eb)
		if !ok {
			continue
		}
		p, ok1 := r.jsonPath(r.str(em, eb, "path", true), keyPath(eb, "path"))
		td, ok2 := r.integer(em, eb, "totalDigits", true)
		dp, ok3 := r.integer(em, eb, "decimalPlaces", true)
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		if td < 1 || td > 38 || dp > td {
			r.diags.Errorf(r.file, eb, CodeBadValue, "totalDigits %d / decimalPlaces %d are out of range (need 1 <= totalDigits <= 38, decimalPlaces <= totalDigits)", td, dp)
			continue
		}
		res.Decimals = append(res.Decimals, DecimalInfo{JSONPath: p, TotalDigits: td, DecimalPlaces: dp, Path: eb})
	}
}

func (r *reader) equality(res *Resource, m map[string]any, base string) {
	arr, ok := r.array(m, base, "equalityConstraints", false)
	if !ok {
		return
	}
	ab := keyPath(base, "equalityConstraints")
	for i, e := range arr {
		eb := indexPath(ab, i)
		em, ok := r.obj(e, eb)
		if !ok {
			continue
		}
		s, ok1 := r.jsonPath(r.str(em, eb, "sourceJsonPath", true), keyPath(eb, "sourceJsonPath"))
		t, ok2 := r.jsonPath(r.str(em, eb, "targetJsonPath", true), keyPath(eb, "targetJsonPath"))
		if ok1 && ok2 {
			res.Equality = append(res.Equality, EqualityConstraint{Source: s, Target: t})
		}
	}
}

func (r *reader) queryFields(res *Resource, m map[string]any, base string) {
	qm, ok := r.object(m, base, "queryFieldMapping", false)
	if !ok {
		return
	}
	qb := keyPath(base, "queryFieldMapping")
	for _, name := range sortedKeys(qm) {
		nb := keyPath(qb, name)
		arr, ok := qm[name].([]any)
		if !ok {
			r.wrongType(nb, "array", qm[name])
			continue
		}
		qf := QueryField{Name: name}
		for i, e := range arr {
			eb := indexPath(nb, i)
			em, ok := r.obj(e, eb)
			if !ok {
				continue
			}
			p, ok := r.jsonPath(r.str(em, eb, "path", true), keyPath(eb, "path"))
			if ok {
				qf.Targets = append(qf.Targets, QueryFieldTarget{JSONPath: p, Type: r.str(em, eb, "type", false)})
			}
		}
		res.QueryFields = append(res.QueryFields, qf)
	}
}

func (r *reader) commonOverrides(res *Resource, m map[string]any, base string) {
	arr, ok := r.array(m, base, "commonExtensionOverrides", false)
	if !ok {
		return
	}
	ab := keyPath(base, "commonExtensionOverrides")
	for i, e := range arr {
		eb := indexPath(ab, i)
		em, ok := r.obj(e, eb)
		if !ok {
			continue
		}
		co := CommonExtensionOverride{Path: eb, InsertionLocations: r.strings(em, eb, "insertionLocations", true)}
		if f, ok := r.field(em, eb, "schemaFragment", true); ok {
			co.Fragment = r.node(f, keyPath(eb, "schemaFragment"))
			r.checkRequiredStrict(co.Fragment)
		}
		if co.Fragment != nil {
			res.CommonExtensionOverrides = append(res.CommonExtensionOverrides, co)
		}
	}
}

func (r *reader) relational(res *Resource, m map[string]any, base string) {
	rm, ok := r.object(m, base, "relational", false)
	if !ok {
		return
	}
	res.HasRelational = true
	rb := keyPath(base, "relational")
	for _, k := range sortedKeys(rm) {
		if k != "rootTableNameOverride" && k != "nameOverrides" {
			r.diags.Errorf(r.file, keyPath(rb, k), CodeBadValue, "unknown key %q in relational block (allowed: rootTableNameOverride, nameOverrides)", k)
		}
	}
	res.Relational.RootTableNameOverride = r.str(rm, rb, "rootTableNameOverride", false)
	if no, ok := r.object(rm, rb, "nameOverrides", false); ok {
		nb := keyPath(rb, "nameOverrides")
		for _, k := range sortedKeys(no) {
			kp := keyPath(nb, k)
			v, ok := no[k].(string)
			if !ok {
				r.wrongType(kp, "string", no[k])
				continue
			}
			res.Relational.NameOverrides = append(res.Relational.NameOverrides, NameOverride{Key: k, Value: v, Path: kp, Owner: res.Project})
		}
	}
	sort.SliceStable(res.Relational.NameOverrides, func(i, j int) bool {
		return res.Relational.NameOverrides[i].Key < res.Relational.NameOverrides[j].Key
	})
}
