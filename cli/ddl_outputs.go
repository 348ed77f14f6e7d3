package cli

import (
	"strings"

	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/model"
)

// ownedNames is every file name emit writes for some --dialect: the only
// files --force replaces or removes.
func ownedNames() map[string]bool {
	out := map[string]bool{}
	for _, n := range ddl.OutputNames(all.Names()) {
		out[n] = true
	}
	return out
}

// dialectsFor expands a --dialect value: a registered dialect, or "both".
func dialectsFor(v string) ([]model.Dialect, error) {
	if v == "both" {
		return all.Names(), nil
	}
	d, err := all.Parse(v)
	if err != nil {
		return nil, usageErrorf("--dialect %q: must be %s", v, orList(append(dialectChoices(), "both")))
	}
	return []model.Dialect{d}, nil
}

// dialectChoices lists the registered dialects' names.
func dialectChoices() []string {
	var out []string
	for _, n := range all.Names() {
		out = append(out, string(n))
	}
	return out
}

// orList joins items as "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
