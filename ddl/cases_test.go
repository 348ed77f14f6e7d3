package ddl

import (
	"testing"

	"github.com/edfi-dmsc/dmsc/internal/schemacase"
)

// scriptsOf renders every model of a case (cached by the case).
func scriptsOf(t testing.TB, c *schemacase.Case) []Script {
	t.Helper()
	var out []Script
	for _, m := range c.Models {
		out = append(out, Script{Dialect: m.Dialect, SQL: c.Script(t, m.Dialect, Render)})
	}
	return out
}
