// Package authbench benchmarks authorization (docs/authorization.md):
// every operation under a grant against the same operation without one,
// on the same PostgreSQL, in the same run, on DS 5.0 data generated here.
//
// # Data
//
// Phases writes a deterministic data set (no fixture file is copied): the
// descriptors it references, one StateEducationAgency, Scale.LEAs local
// education agencies under it, 100 schools under each LEA, 10 students per
// school and one StudentSchoolAssociation per student. Full is 1 SEA, 100
// LEAs, 10,000 schools and 100,000 students and associations (210,118
// documents); Tenth is a tenth of it; Smoke, the default, a hundredth.
// DMSC_AUTHBENCH_SCALE selects the scale (`make bench` sets "full").
//
// Load POSTs the documents through the relational store (which maintains
// the EdOrg closure and the DocumentSubject rows) with four concurrent
// writers per phase, printing progress to stderr. The loaded database,
// dmsc_authbench_<scale> on DMSC_PG_DSN's server, is kept between runs and
// reused while its comment holds the Marker of this generator, scale,
// runtime manifest and DDL; otherwise it is dropped, provisioned (DS 5.0
// with testdata/auth/ds-5.0.overlay.json) and loaded again, then VACUUM
// ANALYZEd. Without DMSC_PG_DSN or the shared fixtures (the DS 5.0
// ApiSchema) the benchmarks skip.
//
// # Benchmarks
//
// BenchmarkAuth runs, with the claim sets of
// testdata/auth/claims.ds-5.0-sample.json whose strategies are
// relationship strategies (School: EdOrgInvertedReader, reads only, the
// EdOrg path and its inverse; Student: SISVendor, the person path;
// StudentSchoolAssociation: SISVendor, EdOrg and person subjects ANDed),
// under grants of 1 school, 100 schools (spread over the LEAs), 10,000
// schools and 1 LEA, each including school 0:
//
//   - Get: GET by id of school 0, its students, their associations (every
//     grant allows them: the allowed path is measured);
//   - First, FirstCount: the first page (25, the API default) without and
//     with the total count;
//   - DeepKeyset, DeepKeysetCount, DeepOffset: the page at 90% of what
//     the grant sees (by keyset cursor without and with the count, and by
//     offset); the baseline is the same page request without a grant, so
//     these are grouped per grant; a grant seeing one page has none;
//   - Post, Put, Delete of associations at school 0, Put of its students
//     (SISVendor's Create and Delete on students need no further
//     authorization, and no claim set of the file writes schools under a
//     relationship strategy).
//
// Each sub-benchmark reports p50-ns and p95-ns (nearest rank over its
// runs, after 10 untimed runs that prepare the statements) and
// roundtrips/op; bench/benchratio prints each case's ratio to its group's
// "baseline" case (the same operation without a grant).
//
// BenchmarkPlanMode compares plan_cache_mode force_generic_plan (what
// relstore.NewPool sets), force_custom_plan and auto, and the generic mode
// with JIT off, under the 10,000-school grant. BenchmarkDataScale (full
// scale only) compares GET on the full data with GET on the Tenth
// database.
//
// Run them alone with
//
//	DMSC_AUTHBENCH_SCALE=full go test -p 1 -run '^$' -bench . -count 5 -timeout 120m ./bench/authbench | go run ./bench/benchratio -o bench/results/authbench.txt -raw bench/results/authbench.raw.txt
package authbench
