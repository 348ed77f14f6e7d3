package authbench

import (
	"context"
	"testing"

	"github.com/edfi-dmsc/dmsc/authz"
)

// BenchmarkDataScale compares GET by id on the full data with GET on a
// tenth of it (spec: "GET ≤ 1.2× on 10× the data"), without a grant and
// under the grant of school 0's LEA (the same LEA, schools and students
// at both scales). Names are DataScale/<resource>/Get/<grant>/<case>:
// "baseline" reads the Tenth database, "x10" the Full one. It runs only
// at full scale (DMSC_AUTHBENCH_SCALE=full) and builds the Tenth database
// on its first run.
func BenchmarkDataScale(b *testing.B) {
	if s := benchScale(b); s.Name != Full.Name {
		b.Skipf("compares the %s and %s databases: set %s=%s", Full.Name, Tenth.Name, ScaleEnv, Full.Name)
	}
	envs := []struct {
		name string
		e    *benchEnv
	}{{"baseline", getEnv(b, Tenth)}, {"x10", getEnv(b, Full)}}
	bg := context.Background()
	for _, t := range targets {
		for _, grant := range []string{"noauth", "lea1"} {
			for _, c := range envs {
				e := c.e
				ctx := bg
				if grant != "noauth" {
					ctx = e.grantCtx(b, bg, t, authz.ActionRead, grantByName(e.scale, grant).claims)
				}
				bs := e.store(b, planGeneric)
				b.Run(t.name+"/Get/"+grant+"/"+c.name, func(b *testing.B) { measure(b, bs, ctx, e.getOp(b, bs, t)) })
			}
		}
	}
}
