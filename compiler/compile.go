package compiler

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/fingerprint"
	"github.com/edfi-dmsc/dmsc/model"
)

// Options tune a compilation.
type Options struct {
	// MappingVersion is hashed into the effective schema hash; empty means
	// fingerprint.MappingVersion (dmsc's own).
	MappingVersion string
}

// Result is a compiled schema set: its fingerprint and one model per
// registered dialect.
type Result struct {
	// Effective is the effective-schema manifest (hashes, resource keys).
	Effective *fingerprint.EffectiveSchema
	// models are in the order of all.Dialects.
	models []*model.Model
}

// Models returns the dialect models in the order of all.Dialects.
func (r *Result) Models() []*model.Model { return r.models }

// Model returns the model of a dialect, or nil.
func (r *Result) Model(d model.Dialect) *model.Model {
	for _, m := range r.models {
		if m.Dialect == d {
			return m
		}
	}
	return nil
}

// Fingerprint computes the effective-schema manifest of a set.
func Fingerprint(set *apischema.Set, mappingVersion string) (*fingerprint.EffectiveSchema, error) {
	if mappingVersion == "" {
		mappingVersion = fingerprint.MappingVersion
	}
	inputs := make([]fingerprint.ProjectInput, 0, len(set.Projects))
	for _, p := range set.Projects {
		in := fingerprint.ProjectInput{
			EndpointName: p.EndpointName, ProjectName: p.ProjectName, ProjectVersion: p.ProjectVersion,
			IsExtension: p.IsExtension, Project: p.Raw,
		}
		for _, r := range p.Resources {
			if !r.IsResourceExtension {
				in.ResourceNames = append(in.ResourceNames, r.ResourceName)
			}
		}
		for _, a := range p.AbstractResources {
			in.AbstractResourceNames = append(in.AbstractResourceNames, a.Name)
		}
		inputs = append(inputs, in)
	}
	return fingerprint.Compute(set.APISchemaVersion, mappingVersion, inputs)
}

// Compile derives the relational model of set for both dialects. Problems
// are added to diags; the result is nil when there are errors. The
// fingerprint and the two dialect passes are independent and run
// concurrently.
func Compile(set *apischema.Set, opts Options, diags *diag.List) *Result {
	type pass struct {
		m      *model.Model
		diags  *diag.List
		decims []decimalFallback
	}
	dialects := all.Dialects()
	passes := make([]pass, len(dialects))
	var eff *fingerprint.EffectiveSchema
	var effErr error
	var wg sync.WaitGroup
	wg.Go(func() { eff, effErr = Fingerprint(set, opts.MappingVersion) })
	for i, d := range dialects {
		wg.Go(func() {
			local := &diag.List{}
			b := newBuilder(set, d, local)
			passes[i] = pass{m: b.build(), diags: local, decims: b.decimalFallbacks}
		})
	}
	wg.Wait()
	if effErr != nil {
		diags.Errorf("", "", CodeResourceKeys, "%v", effErr)
		return nil
	}
	for _, p := range passes {
		p.m.MappingVersion = eff.RelationalMappingVersion
		p.m.EffectiveSchemaHash = eff.EffectiveSchemaHash
		p.m.ResourceKeySeedHash = eff.ResourceKeySeedHash
		applyResourceKeys(p.m, eff)
	}
	first := passes[0].diags
	summariseDecimals(passes[0].decims, first)
	diags.Merge(first)
	for _, p := range passes[1:] {
		mergeNew(diags, first, p.diags)
	}
	if diags.HasErrors() {
		return nil
	}
	res := &Result{Effective: eff}
	for _, p := range passes {
		res.models = append(res.models, p.m)
	}
	return res
}

// mergeNew adds the diagnostics of next that first did not already report
// (the second dialect repeats every dialect-independent finding).
func mergeNew(diags, first, next *diag.List) {
	seen := map[string]bool{}
	for _, d := range first.Items() {
		seen[d.String()] = true
	}
	for _, d := range next.Items() {
		if !seen[d.String()] {
			diags.Add(d)
		}
	}
}

func applyResourceKeys(m *model.Model, eff *fingerprint.EffectiveSchema) {
	ids := map[string]int16{}
	for _, k := range eff.ResourceKeys {
		ids[qname(k.ProjectName, k.ResourceName)] = k.ID
		m.ResourceKeys = append(m.ResourceKeys, model.ResourceKey{ID: k.ID, ProjectName: k.ProjectName, ResourceName: k.ResourceName, ResourceVersion: k.ResourceVersion})
	}
	for _, r := range m.Resources {
		r.ResourceKeyID = ids[qname(r.ProjectName, r.ResourceName)]
	}
	hashes := map[string]string{}
	for _, c := range eff.SchemaComponents {
		hashes[c.ProjectEndpointName] = c.ProjectHash
	}
	for i := range m.Projects {
		m.Projects[i].ProjectHash = hashes[m.Projects[i].EndpointName]
	}
}

// summariseDecimals reports decimal fallbacks as one warning per file.
func summariseDecimals(fb []decimalFallback, diags *diag.List) {
	byFile := map[string][]decimalFallback{}
	var files []string
	for _, f := range fb {
		if _, ok := byFile[f.file]; !ok {
			files = append(files, f.file)
		}
		byFile[f.file] = append(byFile[f.file], f)
	}
	sort.Strings(files)
	for _, file := range files {
		list := byFile[file]
		var ex []string
		for i, f := range list {
			if i == 3 {
				ex = append(ex, "…")
				break
			}
			ex = append(ex, f.resource+" "+f.path)
		}
		diags.Warnf(file, "", CodeDecimalFallback, "%d number properties have no decimalPropertyValidationInfos and use decimal(%d,%d) (%s); values that do not fit are rejected, never rounded",
			len(list), model.FallbackDecimalPrecision, model.FallbackDecimalScale, strings.Join(ex, ", "))
	}
}

// Summary counts the tables and columns of a model (for reports).
func Summary(m *model.Model) string {
	tables, cols, views := 0, 0, len(m.Views)
	for _, r := range m.Resources {
		tables += len(r.Tables)
		for _, t := range r.Tables {
			cols += len(t.Columns)
		}
	}
	return fmt.Sprintf("%d resources, %d tables, %d columns, %d views", len(m.Resources), tables, cols, views)
}
