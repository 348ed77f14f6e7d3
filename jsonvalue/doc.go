// Package jsonvalue decodes, normalises and compares JSON documents as
// values, the way the round trip law of the runtime specification reads
// them (docs/runtime.md): object key order is ignored, array order is
// kept and numbers compare by their exact numeric value, so 1.50, 1.5 and
// 15e-1 are equal while 0.1 and 0.10000000000000001 are not.
//
// Values are what [Decode] returns: nil, bool, string, json.Number,
// []any and map[string]any. [Equal], [Normalize] and [Diff] also accept
// float64, float32 and the Go integer types as numbers, so values built by
// hand or decoded without UseNumber work too.
package jsonvalue
