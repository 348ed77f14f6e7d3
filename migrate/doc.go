// Package migrate moves documents from a legacy Ed-Fi DMS JSONB store
// (dms.Document with the body in EdfiDoc, dms.Alias, dms.Reference, each
// partitioned 16 ways) into dmsc's relational store (docs/migration.md).
//
// It reads the legacy database only: every transaction it opens there is
// READ ONLY (and the session's default_transaction_read_only is on), so a
// mistake can never write to the store that still serves clients.
//
// It holds the legacy reader (OpenLegacy, Pass: the documents of one
// resource in creation order by keyset, the legacy references);
// Preflight, which reports, changing nothing, every legacy document the
// target schema set cannot hold and why; Backfill, which copies the
// others through the runtime's import path by dependency level, resumable
// from the checkpoint table dmsc_migrate.Checkpoint of the target; and
// Verify, which compares every migrated document, count and reference
// pair with the legacy store. Catch-up passes build on the same reader.
//
// The package imports the runtime (relstore) and the manifest, never the
// compiler's command line: Go programs can embed it.
package migrate
