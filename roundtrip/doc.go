// Package roundtrip loads a directory of Ed-Fi documents through the
// runtime and checks the round trip law on each: the GET body of a written
// document, without id, _etag and _lastModifiedDate, equals the document
// after removing what the write pruned and normalising (nulls, empty arrays
// and the empty objects that result are absent; numbers compare by exact
// value; object key order is ignored, array order kept; descriptor URIs
// compare case-insensitively).
//
// The layout is DIR/<projectEndpoint>/<resourceEndpoint>/*.json (Discover).
// Resources load in dependency order derived from the manifest
// (LoadOrder), the documents of one resource in file-name order, and a
// document whose references do not resolve yet is retried after the others
// (Load). `dmsc roundtrip`, the runtime's corpus tests and the benchmarks
// use this package, so the law and the order exist once.
package roundtrip
