package apischema

// MaxFileSize is the largest ApiSchema file dmsc reads: 256 MiB, about 25
// times the DS 5.0 core's ApiSchema.json (~10 MB). Larger files, and
// anything that is not a regular file (a directory, a device such as
// /dev/zero, a named pipe), are refused with a read-failed diagnostic
// instead of being read whole.
const MaxFileSize = 256 << 20
