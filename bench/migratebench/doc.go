// Package migratebench measures `dmsc migrate legacy` (issue 14) on a
// generated legacy DMS JSONB database of more than 100,000 documents,
// against `dmsc roundtrip`'s load rate on the same PostgreSQL in the same
// run.
//
// # The legacy database
//
// The generator (LoadCorpus, Corpus.Body) clones the DS 5.0 fixture
// corpus: the requests of documents/ds-5.0/load-order.json in order,
// updates and refused requests included. Copy 0 is the corpus unchanged;
// every further copy holds its documents that are not descriptors or
// SchoolYearTypes (those are shared: loaded once, referenced by every
// copy) with new identities. Each property name that ends an identity
// path or a reference path of the ApiSchema is rewritten by its type,
// the same way in every document, so that references resolve within the
// copy: strings get the suffix "-cNNN"; integer ids (EducationOrganization
// ids) below 2^31 become fresh 32-bit ids, those above stay above (×1000
// + copy); descriptor URIs, dates and years are kept. LoadCorpus fails if
// a reference and its target's identity would be rewritten differently,
// or if a resource has no rewritten identity part.
//
// EnsureLegacy loads the copies the way the legacy backend wrote them,
// with the shared tools (../shared/tools/legacy-pg): the upstream legacy
// DDL, dmsload.sql, and gen_load.py's dmsload.upsert calls (legacy
// ReferentialIds, dms.Alias with superclass aliases, dms.Reference,
// EdOrg hierarchy, security elements; one transaction per request), copy
// 0 first, then the others in Streams psql sessions with their own
// DocumentUuid seed and trace prefix, under synchronous_commit=off (the
// rows are the same). It checks that every request of every copy had the
// outcome of the same request in copy 0 (insert, update,
// identity-conflict, invalid-reference), then runs VACUUM ANALYZE. The
// database, dmsc_migratebench_legacy_<scale> on DMSC_PG_DSN's server, is
// kept between runs while its comment holds Marker: the generator version,
// the scale, a fingerprint of copies 0 and 1 as generated and a hash of
// the tools and DDL; otherwise it is rebuilt.
//
// The documents the preflight rejects are kept in: the 64 documents per
// copy whose EducationOrganization ids exceed DS 5.0's 32-bit integer
// columns stay rejected in every copy. Full (169 copies) is 110,858 legacy
// documents, 100,042 of them migratable and 10,816 rejected; Smoke, the
// default, is the corpus alone (818 legacy documents, 754 migratable).
// DMSC_MIGRATEBENCH_SCALE selects the scale (`make bench` sets "full").
//
// # The benchmark
//
// BenchmarkMigrate/<scale> has two cases, each into a fresh DS 5.0
// target (a copy of a provisioned template database):
//
//   - baseline: `dmsc roundtrip`'s load (roundtrip.Load: a POST and a GET
//     per document, one writer, edge verification on) of the DS 5.0
//     corpus, 922 documents; every one must read back equal;
//   - backfill: migrate.Backfill with the command's defaults (4 workers,
//     batches of 500), preflight included, from the legacy database.
//
// ns/op is the time per document (loaded, or copied), so benchratio's
// ratio column is the backfill's time per document over the load's. The
// backfill also reports docs/s, copy-docs/s (the copy phase alone),
// preflight-s, legacy-docs, rejected, peak-rss-MB — the process's VmHWM
// during the run, reset through /proc/self/clear_refs before it (Linux
// only) — and progress-%, the last progress report, which must be 100%
// (and equal the copied documents). At full scale each backfill takes
// about two minutes, so `make bench` (-count 5) spends about 12 minutes
// here, after building the legacy database when needed (13 minutes).
//
// Run it alone with
//
//	DMSC_MIGRATEBENCH_SCALE=full go test -p 1 -run '^$' -bench . -count 5 -timeout 60m ./bench/migratebench | go run ./bench/benchratio -o bench/results/migrate.txt -raw bench/results/migrate.raw.txt
package migratebench
