package migrate

import (
	"context"
	"sort"

	"github.com/jackc/pgx/v5"
)

// summarise fills the counts and sorts the findings.
func (pf *preflight) summarise(ctx context.Context) error {
	perRes := make([]int64, len(pf.res)) // documents read
	err := pf.work.query(ctx, countsSQL, nil, func(r pgx.Rows) error {
		var res int
		var docs, rejected, deferred, warned int64
		if err := r.Scan(&res, &docs, &rejected, &deferred, &warned); err != nil {
			return err
		}
		rep := pf.res[res].report
		perRes[res] = docs
		rep.Rejected, rep.Migratable, rep.Deferred, rep.Warned = rejected, docs-rejected, deferred, warned
		return nil
	})
	if err != nil {
		return err
	}
	err = pf.work.query(ctx, rejectedSQL, nil, func(r pgx.Rows) error {
		var id string
		err := r.Scan(&id)
		pf.rep.rejected = append(pf.rep.rejected, id)
		return err
	})
	if err != nil {
		return err
	}
	for _, r := range pf.rep.Resources {
		pf.rep.Migratable += r.Migratable
		pf.rep.Rejected += r.Rejected
	}
	pf.rep.Codes = pf.codes(perRes)
	sortFindings(pf.findings)
	pf.rep.Findings = pf.findings
	if pf.rep.Findings == nil {
		pf.rep.Findings = []Finding{}
	}
	return nil
}

// codeKey is a finding code, as an error or a warning.
type codeKey struct {
	code    string
	warning bool
}

// codes counts the documents per finding code: those the findings name,
// plus every document (perRes) of a resource a resource-level finding
// rejects. Errors first, then by code.
func (pf *preflight) codes(perRes []int64) []CodeCount {
	perCode := map[codeKey]map[string]bool{}
	for _, f := range pf.findings {
		k := codeKey{f.Code, f.Warning}
		if perCode[k] == nil {
			perCode[k] = map[string]bool{}
		}
		if f.DocumentUUID != "" {
			perCode[k][f.DocumentUUID] = true
		}
	}
	resourceLevel := map[codeKey]int64{}
	for _, rs := range pf.res {
		if c := rs.rejectCode; c != "" {
			resourceLevel[codeKey{c, false}] += perRes[rs.index]
		}
	}
	keys := make([]codeKey, 0, len(perCode))
	for k := range perCode {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].warning != keys[j].warning {
			return !keys[i].warning
		}
		return keys[i].code < keys[j].code
	})
	out := []CodeCount{}
	for _, k := range keys {
		out = append(out, CodeCount{Code: k.code, Warning: k.warning, Documents: int64(len(perCode[k])) + resourceLevel[k]})
	}
	return out
}
